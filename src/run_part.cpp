// A part of a run split by trial ranges, as a file (run_part.hpp).
#include "apmsim/run_part.hpp"

#include "apmsim/core/files.hpp"
#include "apmsim/core/json_file.hpp"
#include "apmsim/outputs/results_state.hpp"
#include "apmsim/scenario_json.hpp"

#include <algorithm>
#include <cstring>

namespace apmsim {

namespace {

constexpr char magic[] = "apmsim run part\n";
constexpr std::uint32_t part_format = 1;
constexpr std::uintmax_t max_part_bytes = std::uintmax_t{1} << 40;

/// FNV-1a (64 bits) of the part's blocks: a damaged copy is refused, not merged.
std::uint64_t checksum(const char* data, std::size_t n) {
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (std::size_t k = 0; k < n; ++k) h = (h ^ static_cast<unsigned char>(data[k])) * 0x100000001b3ull;
    return h;
}

void put_block(std::string& out, const std::string& block) {
    const std::uint64_t n = block.size();
    out.append(reinterpret_cast<const char*>(&n), sizeof n);
    out += block;
}

/// The next length-prefixed block of `bytes` from `at`; InvalidInput naming the file when it is cut short.
std::string take_block(const std::string& bytes, std::size_t& at, const std::string& file) {
    std::uint64_t n = 0;
    if (bytes.size() - at < sizeof n) throw InvalidInput(file, "a complete part file (apmsim run --part)", "a file cut short");
    std::memcpy(&n, bytes.data() + at, sizeof n);
    at += sizeof n;
    if (n > bytes.size() - at) throw InvalidInput(file, "a complete part file (apmsim run --part)", "a file cut short");
    at += n;
    return bytes.substr(at - n, n);
}

/// The scenario as JSON without what may differ between the parts of one run.
Json run_identity(const Scenario& s) {
    Json j = scenario_to_json(s);
    for (const char* key : {"trials", "trial_begin", "threads"}) j["settings"].erase(key);
    return j;
}

}  // namespace

void write_run_part(const std::string& file, const Scenario& scenario, const SimulationOptions& options, const RunResults& results) {
    Scenario as_run = scenario;
    as_run.settings = options;
    std::string blocks;
    put_block(blocks, scenario_to_json(as_run).dump());
    put_block(blocks, results_state(results.simulation));
    put_block(blocks, results.payments.models.empty() ? std::string() : payments_state(results.payments));
    std::string bytes(magic);
    const std::uint32_t format = part_format;
    const std::uint64_t sum = checksum(blocks.data(), blocks.size());
    bytes.append(reinterpret_cast<const char*>(&format), sizeof format);
    bytes.append(reinterpret_cast<const char*>(&sum), sizeof sum);
    write_file_atomically(file, bytes + blocks);
}

RunPart read_run_part(const std::string& file) {
    const std::string bytes = read_file(file, "a part file (apmsim run --part)", max_part_bytes);
    const std::size_t head = sizeof magic - 1;
    if (bytes.compare(0, head, magic) != 0) throw InvalidInput(file, "a part file written by apmsim run --part", "another kind of file");
    std::uint32_t format = 0;
    std::uint64_t sum = 0;
    if (bytes.size() < head + sizeof format + sizeof sum) throw InvalidInput(file, "a complete part file (apmsim run --part)", "a file cut short");
    std::memcpy(&format, bytes.data() + head, sizeof format);
    if (format != part_format) throw InvalidInput(file, "part file format " + std::to_string(part_format), std::to_string(format));
    std::memcpy(&sum, bytes.data() + head + sizeof format, sizeof sum);
    std::size_t at = head + sizeof format + sizeof sum;
    if (checksum(bytes.data() + at, bytes.size() - at) != sum)
        throw InvalidInput(file, "an intact part file (apmsim run --part)", "a damaged or cut file (its checksum does not match)");
    const std::string scenario = take_block(bytes, at, file), simulation = take_block(bytes, at, file), payments = take_block(bytes, at, file);
    if (at != bytes.size()) throw InvalidInput(file, "a part file that ends after its results", "trailing bytes");
    RunPart part;
    try {
        part.scenario = scenario_from_json(parse_json_text(scenario, file));
        part.results.simulation = results_from_state(simulation);
        if (!payments.empty()) part.results.payments = payments_from_state(payments);
    } catch (const InvalidInput& e) {
        throw InvalidInput(file + ": " + e.where(), e.expected(), e.actual());
    }
    const SimulationResults& r = part.results.simulation;
    if (r.trials != part.scenario.settings.trials || r.trial_begin != part.scenario.settings.trial_begin || r.seed != part.scenario.settings.seed)
        throw InvalidInput(file, "results of the trials and seed its scenario's settings record", "results of others");
    return part;
}

RunPart merge_run_parts(std::span<const RunPart> parts, std::span<const std::string> names) {
    if (parts.empty()) throw InvalidInput("parts", "at least one part", "none");
    auto name = [&](std::size_t k) { return k < names.size() ? names[k] : "parts[" + std::to_string(k) + "]"; };
    std::vector<std::size_t> order(parts.size());
    for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return parts[a].scenario.settings.trial_begin < parts[b].scenario.settings.trial_begin; });
    const Json identity = run_identity(parts[order[0]].scenario);
    std::vector<RunResults> results;
    for (std::size_t k : order) {
        if (run_identity(parts[k].scenario) != identity)
            throw InvalidInput(name(k), "a part of the same scenario and settings as " + name(order[0]), "a part of another scenario, seed or settings");
        results.push_back(parts[k].results);
    }
    RunPart whole;
    try {
        whole.results = merge_trial_ranges(results);
    } catch (const InvalidInput& e) {  // "parts[i]" counts in trial order: name the file
        // Each text is rewritten once: a part's name may itself read "parts[k]" (no file names given).
        auto renamed = [&](std::string text, bool at_start) {
            for (std::size_t i = 0; i < order.size(); ++i) {
                const std::string index = "parts[" + std::to_string(i) + "]";
                const auto at = text.find(index);
                if (at != std::string::npos && (!at_start || at == 0)) return text.replace(at, index.size(), name(order[i]));
            }
            return text;
        };
        throw InvalidInput(renamed(e.where(), true), renamed(e.expected(), false), e.actual());
    }
    whole.scenario = parts[order[0]].scenario;
    whole.scenario.settings.trials = whole.results.simulation.trials;
    return whole;
}

}  // namespace apmsim
