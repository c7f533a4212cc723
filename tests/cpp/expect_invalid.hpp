#pragma once
// Shared by the GoogleTest files: `f()` must throw apmsim::InvalidInput located at `where`,
// with a non-empty expected and actual value.
#include "apmsim/core/errors.hpp"

#include <gtest/gtest.h>
#include <string>

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
