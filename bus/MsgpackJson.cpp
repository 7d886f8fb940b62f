#include "bus/MsgpackJson.hpp"

#include <algorithm>
#include <cstring>
#include <msgpack.hpp>

#include "bus/Protocol.hpp"

namespace wsc::bus {

namespace {

using Packer = msgpack::packer<msgpack::sbuffer>;

// `buf` is the buffer `pk` writes to: raw bytes may go there too.
void pack_value(Packer& pk, msgpack::sbuffer& buf, const nlohmann::json& v) {
    using T = nlohmann::json::value_t;
    switch (v.type()) {
        case T::null:
        case T::discarded:
            pk.pack_nil();
            return;
        case T::boolean:
            v.get<bool>() ? pk.pack_true() : pk.pack_false();
            return;
        case T::number_integer:
            pk.pack_int64(v.get<std::int64_t>());
            return;
        case T::number_unsigned:
            pk.pack_uint64(v.get<std::uint64_t>());
            return;
        case T::number_float: {
            // msgpack-c packs whole-valued doubles as integers; keep floats floats.
            const double d = v.get<double>();
            std::uint64_t bits;
            std::memcpy(&bits, &d, sizeof bits);
            char raw[9] = {static_cast<char>(0xcb)};
            for (int i = 0; i < 8; ++i) raw[1 + i] = static_cast<char>(bits >> (56 - 8 * i));
            buf.write(raw, sizeof raw);
            return;
        }
        case T::string: {
            const auto& s = v.get_ref<const std::string&>();
            pk.pack_str(static_cast<std::uint32_t>(s.size()));
            pk.pack_str_body(s.data(), static_cast<std::uint32_t>(s.size()));
            return;
        }
        case T::binary: {
            const auto& b = v.get_binary();
            pk.pack_bin(static_cast<std::uint32_t>(b.size()));
            pk.pack_bin_body(reinterpret_cast<const char*>(b.data()),
                             static_cast<std::uint32_t>(b.size()));
            return;
        }
        case T::array:
            pk.pack_array(static_cast<std::uint32_t>(v.size()));
            for (const auto& item : v) pack_value(pk, buf, item);
            return;
        case T::object:
            pk.pack_map(static_cast<std::uint32_t>(v.size()));
            for (auto it = v.begin(); it != v.end(); ++it) {
                const auto& k = it.key();
                pk.pack_str(static_cast<std::uint32_t>(k.size()));
                pk.pack_str_body(k.data(), static_cast<std::uint32_t>(k.size()));
                pack_value(pk, buf, it.value());
            }
            return;
    }
}

nlohmann::json to_json(const msgpack::object& o, std::size_t depth) {
    if (depth > kMaxDepth) throw DecodeError("msgpack nesting too deep");
    switch (o.type) {
        case msgpack::type::NIL:
            return nullptr;
        case msgpack::type::BOOLEAN:
            return o.via.boolean;
        case msgpack::type::POSITIVE_INTEGER:
            return o.via.u64;
        case msgpack::type::NEGATIVE_INTEGER:
            return o.via.i64;
        case msgpack::type::FLOAT32:
        case msgpack::type::FLOAT64:
            return o.via.f64;
        case msgpack::type::STR:
            return std::string(o.via.str.ptr, o.via.str.size);
        case msgpack::type::BIN:
            return std::string(o.via.bin.ptr, o.via.bin.size);
        case msgpack::type::EXT:
            return std::string(o.via.ext.data(), o.via.ext.size);
        case msgpack::type::ARRAY: {
            auto out = nlohmann::json::array();
            for (std::uint32_t i = 0; i < o.via.array.size; ++i)
                out.push_back(to_json(o.via.array.ptr[i], depth + 1));
            return out;
        }
        case msgpack::type::MAP: {
            auto out = nlohmann::json::object();
            for (std::uint32_t i = 0; i < o.via.map.size; ++i) {
                const auto& kv = o.via.map.ptr[i];
                if (kv.key.type != msgpack::type::STR)
                    throw DecodeError("msgpack map key is not a string");
                out[std::string(kv.key.via.str.ptr, kv.key.via.str.size)] =
                    to_json(kv.val, depth + 1);
            }
            return out;
        }
    }
    throw DecodeError("unknown msgpack type");
}

}  // namespace

std::string to_msgpack(const nlohmann::json& value) {
    msgpack::sbuffer buf;
    Packer pk(&buf);
    pack_value(pk, buf, value);
    return std::string(buf.data(), buf.size());
}

nlohmann::json from_msgpack(std::string_view bytes) {
    // Every item takes at least one byte, so a container cannot honestly hold
    // more items than there are bytes: cap declared sizes to stop a tiny
    // message from making the unpacker allocate a huge table.
    const std::size_t items = std::min(kMaxContainer, bytes.size());
    const msgpack::unpack_limit limit(items, items, kMaxMessageBytes, kMaxMessageBytes,
                                      kMaxMessageBytes, kMaxDepth);
    std::size_t offset = 0;
    msgpack::object_handle handle;
    try {
        handle = msgpack::unpack(bytes.data(), bytes.size(), offset, nullptr, nullptr, limit);
    } catch (const std::exception& e) {
        throw DecodeError(std::string("malformed msgpack: ") + e.what());
    }
    if (offset != bytes.size()) throw DecodeError("trailing bytes after msgpack value");
    return to_json(handle.get(), 0);
}

}  // namespace wsc::bus
