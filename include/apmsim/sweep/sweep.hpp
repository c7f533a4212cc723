#pragma once
/// \file sweep.hpp
/// \brief A sweep: a base scenario and axes of values put into it, expanded into
/// variants (each a complete scenario). The document (docs/sweeps.md):
///
///   {"name": "...", "base": "scenario.json" | {scenario},
///    "design": "grid" | "zip" | "tornado",          default grid
///    "seeds": "common" | "independent",             default common
///    "axes": [{"name": "sharing_rate",               optional; default from the pointer
///              "pointer": "/payment_models/1/components/2/sharing_rate",
///              "values": [0.3, 0.5] | {"from": a, "to": b, "steps": n, "scale": "linear"|"log"}}]}
///
/// grid: every combination, the last axis fastest; zip: the k-th value of every axis
/// together (axes of one length); tornado: the base, then each axis at its first (low)
/// and second (high) value with every other term at the base's value.
/// Seeds: "common" runs every variant on the base scenario's seed (common random
/// numbers: a variant's numbers are the same alone or in any sweep); "independent"
/// derives each variant's seed from a hash of the base seed and its parameter values,
/// never from its position in the sweep.

#include "apmsim/core/json_reader.hpp"
#include "apmsim/scenario.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace apmsim {

enum class SweepDesign { grid, zip, tornado };
enum class SweepSeeds { common, independent };

struct SweepAxis {
    std::string name;     ///< the variants table's column
    std::string pointer;  ///< JSON pointer (RFC 6901) into the scenario
    std::vector<Json> values;
};

struct SweepDefinition {
    std::string name = "sweep";
    Json base;  ///< the base scenario document (a "base" path is read in)
    SweepDesign design = SweepDesign::grid;
    SweepSeeds seeds = SweepSeeds::common;
    std::vector<SweepAxis> axes;
};

struct SweepParameter {
    std::string axis;  ///< its name
    Json value;
};

struct Variant {
    std::size_t id = 0;  ///< 0-based, in the design's order
    std::vector<SweepParameter> parameters;  ///< one per axis (the base's value for a tornado's other axes)
    Json document;       ///< the complete scenario, seed included
    std::uint64_t seed = 0;
};

/// Reads a sweep document; a relative "base" path is taken from `folder`. Errors name
/// the JSON path (axes[2].values...) and, for a pointer, what it does not name.
SweepDefinition sweep_from_json(const Json& j, const std::string& folder = ".");
SweepDefinition load_sweep(const std::string& file);
/// The definition with its base inline: what a resumed sweep must match.
Json sweep_to_json(const SweepDefinition& d);

/// Every variant, each scenario loaded and checked (errors name the variant and its
/// parameters). `trials` and `calibration_trials` (when not 0) replace every variant's settings.
std::vector<Variant> expand(const SweepDefinition& d, std::uint64_t trials = 0, std::uint64_t calibration_trials = 0);
/// Variant `v` as a scenario.
Scenario variant_scenario(const Variant& v);

/// A stable 64-bit hash of a JSON value's compact text (FNV-1a, then a SplitMix64 finish).
std::uint64_t json_hash(const Json& j);

std::string to_string(SweepDesign d);
std::string to_string(SweepSeeds s);

}  // namespace apmsim
