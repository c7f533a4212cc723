#pragma once
/// \file json_pointer.hpp
/// \brief JSON pointers (RFC 6901) into a scenario document, as sweeps, goal seek and
/// Python's Scenario.with_value use them: parsed and checked, with errors that name the
/// option or key that gave the pointer (`where`).

#include "apmsim/core/json_reader.hpp"

#include <string>

namespace apmsim {

/// `pointer` parsed; an error at `where` unless it names a value of `doc` inside it (not
/// the whole document), or, with `new_key_allowed`, a key an object of `doc` leaves out
/// (a term at its default).
inline Json::json_pointer pointer_into(const Json& doc, const std::string& pointer, const std::string& where, bool new_key_allowed) {
    Json::json_pointer p;
    try {
        p = Json::json_pointer(pointer);
    } catch (const Json::exception&) {
        throw InvalidInput(where, "a JSON pointer (RFC 6901) such as \"/payment_models/0/components/1/sharing_rate\"", describe(Json(pointer)));
    }
    if (pointer.empty()) throw InvalidInput(where, "a pointer to a value inside the scenario", "\"\" (the whole scenario)");
    if (doc.contains(p)) return p;
    if (new_key_allowed && doc.contains(p.parent_pointer()) && doc.at(p.parent_pointer()).is_object()) return p;
    throw InvalidInput(where, new_key_allowed ? "a pointer to a value of the scenario (or a new key of one of its objects)" : "a pointer to a value of the scenario",
                       describe(Json(pointer)) + ", which names nothing there");
}

}  // namespace apmsim
