// bus/PROTOCOL.md against the code: its command table must list exactly the
// rows of message_schemas() (byte, name, direction, keys, and `?` on the
// optional ones), reserved bytes must be no command, and every body key must
// be described under "Field types". Fails on any drift, either way.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "bus/Messages.hpp"

namespace wsc::bus {
namespace {

constexpr std::string_view kReserved = "(reserved)";

std::string trim(std::string_view s) {
    const auto b = s.find_first_not_of(' ');
    if (b == std::string_view::npos) return "";
    return std::string(s.substr(b, s.find_last_not_of(' ') - b + 1));
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::stringstream in(s);
    for (std::string part; std::getline(in, part, sep);) out.push_back(trim(part));
    return out;
}

std::string read_doc() {
    std::ifstream in(std::string(WSC_SOURCE_DIR) + "/bus/PROTOCOL.md");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// "byte | name | direction" -> key -> required
using Rows = std::map<std::string, std::map<std::string, bool>>;

std::string row_key(int byte, std::string_view name, std::string_view direction) {
    return std::to_string(byte) + " | " + std::string(name) + " | " + std::string(direction);
}

struct Doc {
    Rows rows;
    std::set<int> reserved;
    std::string field_types;  // the text of the "Field types" list
};

Doc parse(const std::string& text) {
    Doc doc;
    std::stringstream in(text);
    bool in_table = false;
    bool in_fields = false;
    for (std::string line; std::getline(in, line);) {
        if (line.starts_with("| byte | name | direction | body |")) {
            in_table = true;
            continue;
        }
        if (line.starts_with("Field types:")) in_fields = true;
        if (in_fields && line.starts_with("#")) in_fields = false;
        if (in_fields) doc.field_types += line + "\n";
        if (!in_table) continue;
        if (!line.starts_with("|")) {
            in_table = false;
            continue;
        }
        const auto cells = split(line, '|');  // "", byte, name, direction, body
        if (cells.size() < 5 || cells[1].starts_with("-")) continue;
        const int byte = std::stoi(cells[1]);
        if (cells[2] == kReserved) {
            doc.reserved.insert(byte);
            continue;
        }
        auto& keys = doc.rows[row_key(byte, cells[2], cells[3])];
        const auto open = cells[4].find("`{");
        const auto close = cells[4].find("}`");
        EXPECT_TRUE(open != std::string::npos && close != std::string::npos)
            << "row without a `{...}` body: " << line;
        if (open == std::string::npos || close == std::string::npos) continue;
        const std::string inner = cells[4].substr(open + 2, close - open - 2);
        for (auto key : split(inner, ',')) {
            if (key.empty()) continue;
            const bool optional = key.ends_with("?");
            if (optional) key.pop_back();
            keys[key] = !optional;
        }
    }
    return doc;
}

Rows code_rows() {
    Rows rows;
    for (const auto& s : message_schemas()) {
        auto& keys = rows[row_key(static_cast<int>(s.command), s.label, s.direction)];
        for (const auto& k : s.keys) keys[std::string(k.name)] = k.required;
    }
    return rows;
}

std::string describe(const std::map<std::string, bool>& keys) {
    std::string out = "{";
    for (const auto& [k, required] : keys)
        out += (out.size() > 1 ? ", " : "") + k + (required ? "" : "?");
    return out + "}";
}

TEST(BusProtocolDoc, CommandTableMatchesTheCode) {
    const std::string text = read_doc();
    ASSERT_FALSE(text.empty()) << "cannot read bus/PROTOCOL.md under " << WSC_SOURCE_DIR;
    const Doc doc = parse(text);
    ASSERT_FALSE(doc.rows.empty()) << "no command table found in bus/PROTOCOL.md";
    const Rows code = code_rows();
    for (const auto& [row, keys] : code) {
        const auto it = doc.rows.find(row);
        if (it == doc.rows.end()) {
            ADD_FAILURE() << "PROTOCOL.md lacks the row " << row << " " << describe(keys);
            continue;
        }
        EXPECT_EQ(describe(it->second), describe(keys)) << "keys of " << row;
    }
    for (const auto& [row, keys] : doc.rows)
        EXPECT_TRUE(code.count(row)) << "PROTOCOL.md has a row the code does not know: " << row;
}

TEST(BusProtocolDoc, EveryCommandIsDocumentedAndReservedBytesAreNoCommand) {
    const Doc doc = parse(read_doc());
    for (int b = 0; b < 256; ++b) {
        const auto command = command_from_byte(static_cast<std::uint8_t>(b));
        if (doc.reserved.count(b)) {
            EXPECT_FALSE(command) << "byte " << b << " is reserved";
        }
        if (!command) continue;
        bool listed = false;
        for (const auto& [row, keys] : doc.rows)
            listed = listed ||
                     row.starts_with(std::to_string(b) + " | " + std::string(to_string(*command)));
        EXPECT_TRUE(listed) << "command " << b << " (" << to_string(*command)
                            << ") missing from PROTOCOL.md";
    }
    EXPECT_TRUE(doc.reserved.count(kReservedCommand)) << "byte 12 must be listed as reserved";
}

TEST(BusProtocolDoc, EveryBodyKeyHasItsFieldType) {
    const Doc doc = parse(read_doc());
    ASSERT_FALSE(doc.field_types.empty()) << "no \"Field types:\" list in PROTOCOL.md";
    for (const auto& s : message_schemas())
        for (const auto& k : s.keys)
            EXPECT_NE(doc.field_types.find("`" + std::string(k.name) + "`"), std::string::npos)
                << "key " << k.name << " of " << s.label << " not under \"Field types\"";
}

}  // namespace
}  // namespace wsc::bus
