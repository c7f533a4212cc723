#pragma once
// What every fuzz target shares: the input as text, and the rule that a parser either
// succeeds or refuses with apmsim::InvalidInput. Any other exception escapes the target
// and ends the run as a crash (libFuzzer and the corpus replay both report it).
#include "apmsim/core/errors.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <string>

namespace fuzz {

inline std::string text(const std::uint8_t* data, std::size_t size) { return {reinterpret_cast<const char*>(data), size}; }

/// Runs `parse`; true if it succeeded, false if it refused the input with InvalidInput.
template <class F>
bool accepted(F&& parse) {
    try {
        parse();
        return true;
    } catch (const apmsim::InvalidInput&) {
        return false;
    }
}

/// A broken promise: says which, then aborts (libFuzzer keeps the input as a crash).
[[noreturn]] inline void broken(const char* promise) {
    std::fprintf(stderr, "fuzz: broken promise: %s\n", promise);
    std::abort();
}

}  // namespace fuzz
