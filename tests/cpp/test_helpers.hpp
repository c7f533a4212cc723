#pragma once
// Helpers shared by the GoogleTest files.
#include "apmsim/core/errors.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>

/// `f()` must throw apmsim::InvalidInput located at `where`, with a non-empty expected and
/// actual value.
template <class F>
void expect_invalid(F&& f, const std::string& where) {
    SCOPED_TRACE(where);
    try {
        (void)f();
        ADD_FAILURE() << "no InvalidInput thrown, expected one naming " << where;
    } catch (const apmsim::InvalidInput& e) {
        EXPECT_EQ(e.where(), where) << e.what();
        EXPECT_FALSE(e.expected().empty());
        EXPECT_FALSE(e.actual().empty());
    }
}

/// The `where` of the InvalidInput `f` throws ("(no error)" when it does not throw).
inline std::string where_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const apmsim::InvalidInput& e) {
        return e.where();
    }
    return "(no error)";
}

/// The InvalidInput `f()` throws (a test failure, and an empty error, when it throws none).
template <class F>
apmsim::InvalidInput error_of(F f) {
    try {
        f();
    } catch (const apmsim::InvalidInput& e) {
        return e;
    }
    ADD_FAILURE() << "no InvalidInput thrown";
    return apmsim::InvalidInput("", "", "");
}
