// Without libFuzzer: runs a fuzz target's LLVMFuzzerTestOneInput on every file named on
// the command line, or in a folder named there (not recursively). What the test suite
// does with each target's seed corpus and the inputs fuzzing once found; a broken promise
// or an unexpected exception ends the program with an error naming the file.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
    std::vector<std::filesystem::path> files;
    for (int i = 1; i < argc; ++i) {
        const std::filesystem::path p(argv[i]);
        if (std::filesystem::is_directory(p)) {
            for (const auto& entry : std::filesystem::directory_iterator(p))
                if (entry.is_regular_file()) files.push_back(entry.path());
        } else {
            files.push_back(p);
        }
    }
    for (const auto& file : files) {
        std::ifstream in(file, std::ios::binary);
        if (!in) {
            std::fprintf(stderr, "replay: cannot read %s\n", file.c_str());
            return 1;
        }
        const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::printf("replay: %s\n", file.c_str());  // the last one named is the one that broke a promise
        std::fflush(stdout);
        try {
            (void)LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
        } catch (const std::exception& e) {
            std::fprintf(stderr, "replay: %s: unexpected exception: %s\n", file.c_str(), e.what());
            return 1;
        }
    }
    std::printf("replay: %zu inputs, no broken promise\n", files.size());
    return files.empty() ? 1 : 0;
}
