// The event log: every WebSocket event and API call with a timestamp,
// newest at the bottom, autoscroll, a clear button and a cap on its length.

import { el, clock } from './dom.js';

const MAX_ENTRIES = 1000;   // older lines drop off so a long session stays fast
const MAX_TEXT = 2000;      // longer texts are cut; the full text stays in the tooltip

export class EventLog {
    /** root: the list element; counter: an element showing the number of lines. */
    constructor(root, counter, autoscrollBox) {
        this.root = root;
        this.counter = counter;
        this.autoscrollBox = autoscrollBox;
        this.count = 0;
    }

    /** kind: a short tag such as 'api', 'ws-msg', 'cluster'; who: e.g. '#2' or ''. */
    add(kind, text, who = '') {
        const full = String(text);
        const shown = full.length > MAX_TEXT ? full.slice(0, MAX_TEXT) + '…' : full;
        const line = el('li', { class: `log-line log-${kind}`, dataset: { kind } },
            el('time', { text: clock() }),
            el('span', { class: 'log-kind', text: kind }),
            who ? el('span', { class: 'log-who', text: who }) : null,
            el('span', { class: 'log-text', text: shown, title: full.length > MAX_TEXT ? full : null }));
        this.root.append(line);
        this.count += 1;
        while (this.root.childElementCount > MAX_ENTRIES) this.root.firstElementChild.remove();
        this.counter.textContent = `${this.count} event${this.count === 1 ? '' : 's'}`;
        if (this.autoscrollBox.checked) this.root.scrollTop = this.root.scrollHeight;
    }

    clear() {
        this.root.replaceChildren();
        this.count = 0;
        this.counter.textContent = '0 events';
    }
}
