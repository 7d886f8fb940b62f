// Options: Boost.Program_options does the command-line and INI syntax; this
// file adds the environment, the precedence rules, typed getters and errors
// that fit on one line and name the option and where its value came from.
#include "common/Options.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string_view>
#include <system_error>

#include <unistd.h>  // environ

#include <boost/program_options.hpp>

namespace wsc {

namespace po = boost::program_options;

namespace {

constexpr std::string_view kEnvPrefix = "WSCENTER_";
// Hidden option that collects positional arguments so we can reject them by name.
constexpr const char* kPositional = "wsc-positional-argument";
// Values quoted in error messages are cut here so the error stays one readable line.
constexpr std::size_t kMaxQuotedValue = 80;
const std::set<std::string> kReservedNames = {"config", "help", "h", "version", kPositional};

std::string_view trim(std::string_view s) {
    const auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// `text` with control characters escaped (\xNN) so that they stay visible
// on one line; cut after `max` bytes with "..." when `max` is not npos.
std::string escape_controls(std::string_view text, std::size_t max = std::string_view::npos) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (i == max) {
            out += "...";
            break;
        }
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x20 || c == 0x7f) {
            constexpr const char* kHex = "0123456789abcdef";
            out += "\\x";
            out += kHex[c >> 4];
            out += kHex[c & 0xf];
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

// 'value' for an error message: control characters escaped, long values cut.
std::string quote_value(std::string_view value) {
    return "'" + escape_controls(value, kMaxQuotedValue) + "'";
}

// "registry.bus_port" -> "WSCENTER_REGISTRY_BUS_PORT".
std::string env_name(const std::string& key) {
    std::string name(kEnvPrefix);
    for (unsigned char c : key) {
        name += std::isalnum(c) ? static_cast<char>(std::toupper(c)) : '_';
    }
    return name;
}

// Keys are declared by programmers; a bad one is a bug, reported as such.
void validate_specs(const std::vector<OptionSpec>& specs) {
    std::set<std::string> seen;
    for (const auto& spec : specs) {
        const std::string& key = spec.key;
        const bool chars_ok = std::all_of(key.begin(), key.end(), [](unsigned char c) {
            return std::isalnum(c) || c == '_' || c == '-' || c == '.';
        });
        const auto dot = key.find('.');
        const bool shape_ok =
            dot != std::string::npos && dot != 0 && key.back() != '.' && key.front() != '-';
        if (!chars_ok || !shape_ok || kReservedNames.count(key) != 0) {
            throw ConfigError("programming error: bad option key " + quote_value(key) +
                              " (expected section.key)");
        }
        if (!seen.insert(key).second) {
            throw ConfigError("programming error: option '" + key + "' declared twice");
        }
    }
}

// Boost formats an error lazily in what(), replacing each %name% of its
// template with a value and searching the whole text again after each
// replacement: a value that contains its own placeholder (a config line
// reading "%invalid_line%") makes it loop forever, and one containing another
// placeholder is rewritten. So no boost error that carries user text is ever
// asked for what(): its template is filled here in a single pass, in which
// substituted text is never looked at again.
struct BoostErrorText : po::error_with_option_name {
    static std::string format(const po::error_with_option_name& e) {
        std::string text = e.m_error_template;
        std::map<std::string, std::string> values = e.*(&BoostErrorText::m_substitutions);
        values["canonical_option"] = (e.*(&BoostErrorText::get_canonical_option_name))();
        values["prefix"] = (e.*(&BoostErrorText::get_canonical_option_prefix))();
        // A placeholder without a value: boost rewrites a part of its own
        // template (both texts are boost's, never the user's).
        for (const auto& [name, rewrite] : e.*(&BoostErrorText::m_substitution_defaults)) {
            if (!values[name].empty() || rewrite.first.empty()) continue;
            for (auto at = text.find(rewrite.first); at != std::string::npos;
                 at = text.find(rewrite.first, at + rewrite.second.size()))
                text.replace(at, rewrite.first.size(), rewrite.second);
        }
        std::string out;
        std::size_t pos = 0;
        while (pos < text.size()) {
            const auto open = text.find('%', pos);
            const auto close = open == std::string::npos ? open : text.find('%', open + 1);
            if (close == std::string::npos) {
                out.append(text, pos, std::string::npos);
                break;
            }
            out.append(text, pos, open - pos);
            const auto found = values.find(text.substr(open + 1, close - open - 1));
            if (found == values.end()) {
                out.append(text, open, close - open);  // not a placeholder: keep '%'
                pos = close;
                continue;
            }
            out += found->second;
            pos = close + 1;
        }
        return out;
    }
};

// One line describing a boost error, whatever text the user gave.
std::string describe(const po::error& e) {
    std::string text;
    if (const auto* named = dynamic_cast<const po::error_with_option_name*>(&e))
        text = BoostErrorText::format(*named);
    else
        text = e.what();  // no placeholders: a fixed text
    // Control characters (a line of the file may hold anything) stay visible.
    return escape_controls(text);
}

po::options_description settings_description(const std::vector<OptionSpec>& specs) {
    po::options_description desc;
    for (const auto& spec : specs) {
        desc.add_options()(spec.key.c_str(), po::value<std::string>(), spec.help.c_str());
    }
    return desc;
}

// Boost's config parser only knows '#' comments; INI files also use ';'.
std::string blank_semicolon_comments(std::istream& in) {
    std::string out;
    std::string line;
    while (std::getline(in, line)) {
        const auto first = line.find_first_not_of(" \t");
        if (first != std::string::npos && line[first] == ';') line.clear();
        out += line;
        out += '\n';
    }
    return out;
}

// Boost rejects "--key=" (empty adjacent value); "--key" "" means the same and
// is accepted, so an option can be set to empty from the command line.
std::vector<std::string> command_line_tokens(int argc, const char* const* argv) {
    std::vector<std::string> tokens;
    bool options_ended = false;
    for (int i = 1; i < argc && argv != nullptr && argv[i] != nullptr; ++i) {
        const std::string token = argv[i];
        if (token == "--") options_ended = true;
        const bool empty_value = token.size() > 3 && token.compare(0, 2, "--") == 0 &&
                                 token.find('=') == token.size() - 1;
        if (!options_ended && empty_value) {
            tokens.push_back(token.substr(0, token.size() - 1));
            tokens.emplace_back();
        } else {
            tokens.push_back(token);
        }
    }
    return tokens;
}

po::variables_map parse_command_line(int argc, const char* const* argv,
                                     const po::options_description& settings) {
    po::options_description desc;
    desc.add_options()("config", po::value<std::string>(), "INI file")("help,h", "show help")(
        "version", "show version")(kPositional, po::value<std::vector<std::string>>());
    desc.add(settings);
    po::positional_options_description positional;
    positional.add(kPositional, -1);

    // No abbreviations: "--registry.bus" must not silently mean "--registry.bus_port".
    const int style = po::command_line_style::default_style &
                      ~po::command_line_style::allow_guessing &
                      ~po::command_line_style::allow_sticky;
    po::variables_map flags;
    try {
        const po::parsed_options parsed = po::command_line_parser(command_line_tokens(argc, argv))
                                              .options(desc)
                                              .positional(positional)
                                              .style(style)
                                              .run();
        for (const auto& option : parsed.options) {
            // "--a.b --c.d=1" would otherwise quietly set a.b to "--c.d=1".
            const auto& tokens = option.original_tokens;
            if (option.position_key == -1 && tokens.size() == 2 &&
                tokens[1].compare(0, 2, "--") == 0) {
                throw ConfigError("option '" + tokens[0] + "' needs a value (use " + tokens[0] +
                                  "=VALUE)");
            }
        }
        po::store(parsed, flags);
    } catch (const po::unknown_option& e) {
        // Boost names the whole token; drop "=value" (it may be a secret).
        const std::string name = e.get_option_name();
        throw ConfigError("unknown option " + quote_value(name.substr(0, name.find('='))));
    } catch (const po::error& e) {
        throw ConfigError(describe(e));
    }
    if (flags.count(kPositional) != 0) {
        const auto& args = flags[kPositional].as<std::vector<std::string>>();
        throw ConfigError("unexpected argument " + quote_value(args.front()) +
                          " (options are given as --section.key=value)");
    }
    return flags;
}

// Reads `path` as INI; returns key -> value for the keys it sets.
std::map<std::string, std::string> read_config_file(const std::string& path,
                                                    const po::options_description& desc) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        throw ConfigError("cannot read config file '" + path + "': it is a directory");
    }
    std::ifstream file(path);
    if (!file) throw ConfigError("cannot read config file '" + path + "'");
    const std::string text = blank_semicolon_comments(file);
    if (file.bad()) throw ConfigError("cannot read config file '" + path + "'");

    std::istringstream in(text);
    po::variables_map vm;
    try {
        po::store(po::parse_config_file(in, desc, /*allow_unregistered=*/false), vm);
    } catch (const po::unknown_option& e) {
        throw ConfigError("unknown option '" + e.get_option_name() + "' in " + path);
    } catch (const po::multiple_occurrences& e) {
        throw ConfigError("option '" + e.get_option_name() + "' is set more than once in " + path);
    } catch (const po::error& e) {
        throw ConfigError(describe(e) + " in " + path);
    }
    std::map<std::string, std::string> values;
    for (const auto& [key, value] : vm) values[key] = value.as<std::string>();
    return values;
}

// The value for `spec` from the environment, with the name it came from.
std::optional<std::pair<std::string, std::string>> env_value(
    const OptionSpec& spec, const std::map<std::string, std::string>& env) {
    std::vector<std::string> names{env_name(spec.key)};
    names.insert(names.end(), spec.env_aliases.begin(), spec.env_aliases.end());
    for (const auto& name : names) {
        const auto it = env.find(name);
        if (it != env.end() && !it->second.empty()) return std::pair{name, it->second};
    }
    return std::nullopt;
}

}  // namespace

Options Options::parse(std::string program, std::vector<OptionSpec> specs, int argc,
                       const char* const* argv, const std::map<std::string, std::string>& env) {
    validate_specs(specs);
    Options options;
    options.program_ = std::move(program);
    options.specs_ = std::move(specs);
    for (const auto& spec : options.specs_) {
        options.values_[spec.key] = Value{spec.default_value, "default", "the default"};
    }

    const po::options_description settings = settings_description(options.specs_);
    const po::variables_map flags = parse_command_line(argc, argv, settings);
    options.help_ = flags.count("help") != 0;
    options.version_ = flags.count("version") != 0;

    if (flags.count("config") != 0 && !options.help_ && !options.version_) {
        const std::string path = flags["config"].as<std::string>();
        for (const auto& [key, value] : read_config_file(path, settings)) {
            options.values_[key] = Value{value, "file", path};
        }
    }
    for (const auto& spec : options.specs_) {
        if (auto found = env_value(spec, env)) {
            options.values_[spec.key] = Value{found->second, "env", "$" + found->first};
        }
    }
    for (const auto& spec : options.specs_) {
        if (flags.count(spec.key) != 0) {
            options.values_[spec.key] =
                Value{flags[spec.key].as<std::string>(), "flag", "--" + spec.key};
        }
    }
    return options;
}

std::map<std::string, std::string> Options::process_environment() {
    std::map<std::string, std::string> env;
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
        const std::string_view text(*entry);
        const auto eq = text.find('=');
        if (eq == std::string_view::npos) continue;
        env.emplace(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
    }
    return env;
}

std::string Options::help_text() const {
    std::ostringstream out;
    out << "Usage: " << program_ << " [--config FILE] [--section.key=VALUE ...]\n\n"
        << "Settings come from the INI file given by --config ([section] then key = value),\n"
        << "then the environment, then flags; later sources win.\n\n"
        << "General:\n"
        << "  --config FILE   read settings from this INI file\n"
        << "  -h, --help      show this help and exit\n"
        << "  --version       show the version and exit\n\n"
        << "Settings:\n";
    for (const auto& spec : specs_) {
        out << "  --" << spec.key << "=VALUE\n";
        out << "      " << spec.help;
        if (!spec.help.empty()) out << ' ';
        out << "(default: " << (spec.default_value.empty() ? "empty" : spec.default_value) << ")\n";
        out << "      env: " << env_name(spec.key);
        for (const auto& alias : spec.env_aliases) out << ", " << alias;
        out << '\n';
    }
    return out.str();
}

const Options::Value& Options::find(const std::string& key) const {
    const auto it = values_.find(key);
    if (it == values_.end()) {
        throw ConfigError("programming error: option " + quote_value(key) + " is not declared");
    }
    return it->second;
}

void Options::fail_value(const std::string& key, const std::string& expected) const {
    const Value& value = find(key);
    throw ConfigError(key + ": expected " + expected + ", got " + quote_value(value.text) +
                      " (from " + value.origin + ")");
}

std::string Options::get(const std::string& key) const {
    return find(key).text;
}

long long Options::get_int(const std::string& key, long long min, long long max) const {
    std::string_view text = trim(find(key).text);
    if (text.size() > 1 && text.front() == '+' && text[1] != '-') text.remove_prefix(1);
    long long number = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || number < min ||
        number > max) {
        fail_value(key, "an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
    }
    return number;
}

uint16_t Options::get_port(const std::string& key) const {
    constexpr long long kMaxPort = 65535;
    return static_cast<uint16_t>(get_int(key, 0, kMaxPort));
}

std::vector<std::string> Options::get_list(const std::string& key) const {
    std::vector<std::string> items;
    std::string_view rest = find(key).text;
    while (true) {
        const auto comma = rest.find(',');
        const std::string_view item = trim(rest.substr(0, comma));
        if (!item.empty()) items.emplace_back(item);
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
    }
    return items;
}

bool Options::get_bool(const std::string& key) const {
    const std::string text = lower(trim(find(key).text));
    if (text == "true" || text == "1" || text == "yes" || text == "on") return true;
    if (text == "false" || text == "0" || text == "no" || text == "off") return false;
    fail_value(key, "a boolean (true/false, yes/no, on/off, 1/0)");
}

std::string Options::source(const std::string& key) const {
    return find(key).source;
}

}  // namespace wsc
