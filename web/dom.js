// Tiny DOM helpers shared by the demo's modules. Everything that comes from
// the network is inserted as text (never as HTML), so a message cannot inject
// markup into the page.

/**
 * Creates an element. attrs: plain attributes, plus `class`, `dataset`
 * (object), `text` (textContent) and `on<Event>` handlers.
 */
export function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
        if (value === undefined || value === null || value === false) continue;
        if (key === 'class') node.className = value;
        else if (key === 'text') node.textContent = value;
        else if (key === 'dataset') Object.assign(node.dataset, value);
        else if (key.startsWith('on') && typeof value === 'function')
            node.addEventListener(key.slice(2).toLowerCase(), value);
        else if (value === true) node.setAttribute(key, '');
        else node.setAttribute(key, String(value));
    }
    for (const child of children.flat()) {
        if (child === undefined || child === null || child === false) continue;
        node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
}

export const $ = (selector, root = document) => root.querySelector(selector);

/** "20:31:07.123" for log lines and chat bubbles. */
export function clock(date = new Date()) {
    const pad = (n, w = 2) => String(n).padStart(w, '0');
    return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.` +
        pad(date.getMilliseconds(), 3);
}

/** The first 8 characters of a 32-hex id: enough to tell nodes apart on screen. */
export const shortId = (id) => (typeof id === 'string' && id.length > 12 ? id.slice(0, 8) + '…' : String(id));

/** Compact JSON for one-line displays; strings stay as they are. */
export function brief(value, max = 300) {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    return text.length > max ? text.slice(0, max) + '…' : text;
}

/** Copies text to the clipboard where the browser allows it (secure context or localhost). */
export async function copyText(text) {
    try {
        await navigator.clipboard.writeText(text);
        return true;
    } catch {
        return false;
    }
}
