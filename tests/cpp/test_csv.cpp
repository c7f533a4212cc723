// The CSV reader (core/csv.hpp): RFC 4180 texts, every malformed input named by file, line
// and character, a round trip through an independent writer, a seeded mutation fuzz loop,
// and files on disk. Block sizes of a few bytes put block boundaries everywhere.
#include "apmsim/core/csv.hpp"
#include "apmsim/core/errors.hpp"

#include "test_helpers.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

using apmsim::InvalidInput;
using apmsim::csv::Options;
using apmsim::csv::Reader;
namespace fs = std::filesystem;

namespace {

using Records = std::vector<std::vector<std::string>>;

/// Tiny blocks (a character can straddle two or three of them), a small and the default one.
const std::vector<std::size_t> block_sizes = {4, 5, 7, 64, Options{}.block_bytes};

Records read_rest(Reader& in) {
    Records out;
    while (in.next()) {
        std::vector<std::string> record;
        for (std::size_t i = 0; i < in.size(); ++i) record.emplace_back(in.field(i));
        out.push_back(record);
    }
    return out;
}

/// The header and the records of `text` (name "<t>"), the same for every block size.
Records read_text(const std::string& text) {
    Records first;
    for (const std::size_t block : block_sizes) {
        Reader in = Reader::from_text(text, "<t>", Options{.block_bytes = block});
        Records all{in.header()};
        for (auto& record : read_rest(in)) all.push_back(record);
        if (block == block_sizes.front()) first = all;
        EXPECT_EQ(all, first) << "block " << block;
    }
    return first;
}

/// The error of reading all of `text` (name "<t>") with each block size: the same for all.
InvalidInput text_error(const std::string& text) {
    InvalidInput first("", "", "");
    for (const std::size_t block : block_sizes) {
        const InvalidInput e = error_of([&] {
            Reader in = Reader::from_text(text, "<t>", Options{.block_bytes = block});
            read_rest(in);
        });
        if (block == block_sizes.front()) first = e;
        EXPECT_STREQ(e.what(), first.what()) << "block " << block;
    }
    return first;
}

/// A folder of its own under the test's temporary directory.
fs::path temp_folder(const std::string& name) {
    const fs::path folder = fs::path(::testing::TempDir()) / ("apmsim_csv_" + name);
    fs::remove_all(folder);
    fs::create_directories(folder);
    return folder;
}

void write_bytes(const fs::path& file, const std::string& bytes) {
    std::ofstream out(file, std::ios::binary);
    out << bytes;
}

/// A seeded generator with plain integer arithmetic (no std::*_distribution, whose output
/// differs between standard libraries).
struct Random {
    std::mt19937_64 engine;
    explicit Random(std::uint64_t seed) : engine(seed) {}
    std::size_t below(std::size_t n) { return static_cast<std::size_t>(engine() % n); }
    bool chance(std::size_t one_in) { return below(one_in) == 0; }
};

/// An independent writer: RFC 4180 quoting where the field needs it (or `always`).
std::string quote_field(const std::string& field, bool always) {
    const bool blank_edge = !field.empty() && (field.front() == ' ' || field.front() == '\t' || field.back() == ' ' || field.back() == '\t');
    if (!always && !blank_edge && field.find_first_of(",\"\r\n") == std::string::npos) return field;
    std::string out = "\"";
    for (const char c : field) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

std::string random_field(Random& random) {
    static const std::vector<std::string> pieces = {"a", "Z", "0", "9", ".", "-", " ", "\t", ",", "\"", "\r", "\n", "\r\n",
                                                    "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9D\x84\x9E"};  // é € 𝄞
    std::string field;
    for (std::size_t k = random.below(10); k > 0; --k) field += pieces[random.below(pieces.size())];
    return field;
}

/// `records` (the first one the header) written as CSV, with LF or CRLF line ends at random.
std::string write_csv(const Records& records, Random& random) {
    std::string text;
    for (std::size_t r = 0; r < records.size(); ++r) {
        for (std::size_t i = 0; i < records[r].size(); ++i) {
            const std::string& field = records[r][i];
            text += (i ? "," : "") + quote_field(field, (field.empty() && records[r].size() == 1) || random.chance(8));
        }
        if (r + 1 < records.size() || random.chance(2)) text += random.chance(2) ? "\r\n" : "\n";
    }
    return text;
}

Records random_table(Random& random) {
    const std::size_t columns = 1 + random.below(5);
    Records table(1);
    for (std::size_t i = 0; i < columns; ++i) table[0].push_back("c" + std::to_string(i) + (random.chance(3) ? " \xC3\xA9" : ""));
    for (std::size_t r = random.below(6); r > 0; --r) {
        table.emplace_back();
        for (std::size_t i = 0; i < columns; ++i) table.back().push_back(random_field(random));
    }
    return table;
}

}  // namespace

TEST(CsvReader, ReadsQuotedCommasDoubledQuotesAndEmbeddedNewlines) {
    const std::string text = "id,text,amount\n1,\"a, b\",10\n2,\"multi\nline\nfield\",20\n3,\"say \"\"hi\"\"\",30\n";
    EXPECT_EQ(read_text(text), (Records{{"id", "text", "amount"}, {"1", "a, b", "10"}, {"2", "multi\nline\nfield", "20"}, {"3", "say \"hi\"", "30"}}));
    Reader in = Reader::from_text(text, "<t>");
    EXPECT_EQ(in.line(), 1u);
    std::vector<std::size_t> lines;
    while (in.next()) lines.push_back(in.line());
    EXPECT_EQ(lines, (std::vector<std::size_t>{2, 3, 6}));  // the record after the three-line field starts on line 6
    EXPECT_EQ(in.records(), 3u);
    EXPECT_EQ(in.size(), 0u);
    EXPECT_FALSE(in.next());
}

TEST(CsvReader, DropsTheByteOrderMarkAndReadsCrlf) {
    const std::string text = "\xEF\xBB\xBFid,note\r\n1,\"x\r\ny\"\r\n2,plain\r\n";
    EXPECT_EQ(read_text(text), (Records{{"id", "note"}, {"1", "x\r\ny"}, {"2", "plain"}}));
    Reader in = Reader::from_text(text, "<t>");
    EXPECT_EQ(in.column("id"), 0u);  // not "\xEF\xBB\xBFid"
    ASSERT_TRUE(in.next());
    ASSERT_TRUE(in.next());
    EXPECT_EQ(in.line(), 4u);
}

TEST(CsvReader, ReadsALastRecordWithoutLineEnd) {
    EXPECT_EQ(read_text("a,b\n1,2"), (Records{{"a", "b"}, {"1", "2"}}));
    EXPECT_EQ(read_text("a,b\r\n1,\"2\""), (Records{{"a", "b"}, {"1", "2"}}));
    EXPECT_EQ(read_text("a,b\n1,"), (Records{{"a", "b"}, {"1", ""}}));
    EXPECT_EQ(read_text("a,b\n1,2\r"), (Records{{"a", "b"}, {"1", "2"}}));  // a CR that ends the file ends the line
}

TEST(CsvReader, SkipsBlankLines) {
    const std::string text = "\n\na,b\n\n  \t\n1,2\r\n\r\n3,4\n\n";
    EXPECT_EQ(read_text(text), (Records{{"a", "b"}, {"1", "2"}, {"3", "4"}}));
    Reader in = Reader::from_text(text, "<t>");
    EXPECT_EQ(in.line(), 3u);
    ASSERT_TRUE(in.next());
    EXPECT_EQ(in.line(), 6u);
    ASSERT_TRUE(in.next());
    EXPECT_EQ(in.line(), 8u);
    EXPECT_EQ(read_text("h\n\"\"\n\n"), (Records{{"h"}, {""}}));  // one empty field is written ""
}

TEST(CsvReader, AcceptsAHeaderOnlyFile) {
    for (const std::string text : {"a,b", "a,b\n", "a,b\r\n\r\n"}) {
        Reader in = Reader::from_text(text, "<t>");
        EXPECT_EQ(in.header(), (std::vector<std::string>{"a", "b"}));
        EXPECT_FALSE(in.next());
        EXPECT_EQ(in.records(), 0u);
    }
}

TEST(CsvReader, TrimsUnquotedFieldsAndKeepsQuotedBlanks) {
    EXPECT_EQ(read_text(" a ,\tb\t\n  1 2  , \" x \" \n"), (Records{{"a", "b"}, {"1 2", " x "}}));
}

TEST(CsvReader, FindsColumnsByName) {
    Reader in = Reader::from_text("claim_id,paid,category\n", "<claims>");
    EXPECT_EQ(in.column("category"), 2u);
    EXPECT_EQ(in.find_column("paid"), 1u);
    EXPECT_EQ(in.find_column("allowed"), std::nullopt);
    const InvalidInput e = error_of([&] { in.column("allowed"); });
    EXPECT_EQ(e.where(), "<claims>: header");
    EXPECT_EQ(e.expected(), "a column \"allowed\"");
    EXPECT_EQ(e.actual(), "columns claim_id, paid, category");
}

TEST(CsvReader, ParsesNumbers) {
    using apmsim::csv::parse_number;
    EXPECT_EQ(parse_number("12.5"), 12.5);
    EXPECT_EQ(parse_number(" -0.25\t"), -0.25);
    EXPECT_EQ(parse_number("+5"), 5.0);
    EXPECT_EQ(parse_number(".5"), 0.5);
    EXPECT_EQ(parse_number("1.5E3"), 1500.0);
    EXPECT_EQ(parse_number("1e-300"), 1e-300);
    for (const char* bad : {"", "  ", "abc", "inf", "-inf", "nan", "NaN", "infinity", "0x10", "1,000", "$5", "5%", "1e999",
                            "1e-400", "+-1", "++1", "-", "+", ".", "1 2", "1.2.3", "e5", "5e"})
        EXPECT_EQ(parse_number(bad), std::nullopt) << bad;
}

TEST(CsvReader, NumberErrorsNameTheLineAndColumn) {
    Reader in = Reader::from_text("claim_id,paid\nc1,10.5\n\"c\n2\",abc\nc3,\n", "<claims>");
    ASSERT_TRUE(in.next());
    EXPECT_EQ(in.number(1), 10.5);
    ASSERT_TRUE(in.next());
    EXPECT_EQ(in.where(1), "<claims>, line 3, column paid (2)");  // the line the record starts on
    EXPECT_EQ(in.try_number(1), std::nullopt);
    InvalidInput e = error_of([&] { in.number(1); });
    EXPECT_EQ(e.where(), "<claims>, line 3, column paid (2)");
    EXPECT_EQ(e.expected(), "a number");
    EXPECT_EQ(e.actual(), "\"abc\"");
    ASSERT_TRUE(in.next());
    e = error_of([&] { in.number(1); });
    EXPECT_EQ(e.where(), "<claims>, line 5, column paid (2)");
    EXPECT_EQ(e.actual(), "an empty field");
    EXPECT_THROW(in.field(2), std::out_of_range);
}

TEST(CsvReader, MovesMidFile) {
    Reader a = Reader::from_text("x\n1\n2\n3\n", "<t>", Options{.block_bytes = 4});
    ASSERT_TRUE(a.next());
    Reader b = std::move(a);
    EXPECT_EQ(read_rest(b), (Records{{"2"}, {"3"}}));
    EXPECT_EQ(b.records(), 3u);
}

TEST(CsvErrors, UnterminatedQuoteNamesTheRecordsLine) {
    const InvalidInput e = text_error("a,b\n1,2\n3,\"open\nmore\n");
    EXPECT_EQ(e.where(), "<t>, line 3");
    EXPECT_EQ(e.expected(), "a closing quote");
    EXPECT_EQ(e.actual(), "the end of the file inside a quoted field");
}

TEST(CsvErrors, QuoteInsideAnUnquotedField) {
    const InvalidInput e = text_error("a,b\n\xC3\xA9,x\"y\n");  // é is one character
    EXPECT_EQ(e.where(), "<t>, line 2, character 4");
    EXPECT_EQ(e.actual(), "a quote inside an unquoted field");
    EXPECT_NE(e.expected().find("a quote only inside a quoted field"), std::string::npos);
}

TEST(CsvErrors, TextAfterAClosingQuote) {
    InvalidInput e = text_error("a,b\n1,2\n1,\"ok\"x\n");
    EXPECT_EQ(e.where(), "<t>, line 3, character 7");
    EXPECT_EQ(e.expected(), "a comma or a line end after a closing quote");
    EXPECT_EQ(e.actual(), "\"x\" after the closing quote");
    e = text_error("a,b\n1,\"ok\"  \"\n");
    EXPECT_EQ(e.where(), "<t>, line 2, character 9");
    EXPECT_EQ(e.actual(), "another quote after the closing quote and blanks");
}

TEST(CsvErrors, CarriageReturnAlone) {
    for (const std::string text : {"a,b\n1,2\r3,4\n", "a,b\n1,2\r\r\n"}) {
        const InvalidInput e = text_error(text);
        EXPECT_EQ(e.where(), "<t>, line 2, character 4");
        EXPECT_EQ(e.expected(), "a line end as LF or CRLF");
        EXPECT_EQ(e.actual(), "a carriage return (CR) alone");
    }
}

TEST(CsvErrors, WrongFieldCountNamesTheLineAndReadingGoesOn) {
    Reader in = Reader::from_text("a,b,c\n1,2\n4,5,6\n\"7\n\",8,9,10\n11,12,13", "<t>");
    InvalidInput e = error_of([&] { in.next(); });
    EXPECT_EQ(e.where(), "<t>, line 2");
    EXPECT_EQ(e.expected(), "3 fields, as in the header");
    EXPECT_EQ(e.actual(), "2 fields");
    EXPECT_EQ(in.size(), 2u);
    ASSERT_TRUE(in.next());
    EXPECT_EQ(in.field(2), "6");
    e = error_of([&] { in.next(); });
    EXPECT_EQ(e.where(), "<t>, line 4");
    EXPECT_EQ(e.actual(), "4 fields");
    ASSERT_TRUE(in.next());
    EXPECT_EQ(in.line(), 6u);
    EXPECT_FALSE(in.next());
    EXPECT_EQ(in.records(), 4u);
}

TEST(CsvErrors, EmptyFilesAndBadHeaders) {
    InvalidInput e = error_of([] { Reader::from_text("", "<t>"); });
    EXPECT_EQ(e.where(), "<t>");
    EXPECT_EQ(e.expected(), "a header row (the column names)");
    EXPECT_EQ(e.actual(), "an empty file (0 bytes)");
    EXPECT_EQ(error_of([] { Reader::from_text("\n \r\n", "<t>"); }).actual(), "only blank lines");
    e = error_of([] { Reader::from_text("\na,,c\n", "<t>"); });
    EXPECT_EQ(e.where(), "<t>, line 2, column 2");
    EXPECT_EQ(e.actual(), "an empty name");
    e = error_of([] { Reader::from_text("paid,b,paid\n", "<t>"); });
    EXPECT_EQ(e.where(), "<t>, line 1, column 3");
    EXPECT_EQ(e.actual(), "\"paid\" again (also column 1)");
}

TEST(CsvErrors, BinaryBytesAreNotText) {
    InvalidInput e = text_error(std::string("a,b\n1,x\0y\n", 10));
    EXPECT_EQ(e.where(), "<t>, line 2, character 4");
    EXPECT_EQ(e.expected(), "text in UTF-8");
    EXPECT_EQ(e.actual(), "a NUL byte (a binary file?)");
    e = text_error("a,b\n1,2\n\xC3\xA9,\xFF\n");
    EXPECT_EQ(e.where(), "<t>, line 3, character 3");
    EXPECT_NE(e.actual().find("the byte 0xFF, not UTF-8"), std::string::npos) << e.actual();
    // Latin-1, an overlong form, a surrogate, a code point above U+10FFFF, a character the file cuts off.
    EXPECT_EQ(text_error("name\ncaf\xE9\n").where(), "<t>, line 2, character 4");
    EXPECT_EQ(text_error("name\nx\xC0\x80\n").where(), "<t>, line 2, character 2");
    EXPECT_EQ(text_error("name\nx\xED\xA0\x80\n").where(), "<t>, line 2, character 2");
    EXPECT_EQ(text_error("name\nx\xF4\x90\x80\x80\n").where(), "<t>, line 2, character 2");
    EXPECT_EQ(text_error("name\nx\xE2\x82").where(), "<t>, line 2, character 2");
    // After such an error every next() throws it again.
    Reader in = Reader::from_text("name\nx\xFF\ny\n", "<t>");
    EXPECT_THROW(in.next(), InvalidInput);
    EXPECT_EQ(error_of([&] { in.next(); }).where(), "<t>, line 2, character 2");
}

TEST(CsvErrors, RecordLongerThanTheLimit) {
    std::string text = "a,b\n1,2\n3,\"unbalanced\n";
    for (int k = 0; k < 200; ++k) text += "more text, all inside the quoted field\n";
    for (const std::size_t block : {std::size_t{5}, std::size_t{4096}}) {
        Reader in = Reader::from_text(text, "<t>", Options{.block_bytes = block, .max_record_bytes = 1000});
        ASSERT_TRUE(in.next());
        const InvalidInput e = error_of([&] { in.next(); });
        EXPECT_EQ(e.where(), "<t>, line 3");
        EXPECT_EQ(e.expected(), "a record of at most 1000 bytes");
    }
    Reader in = Reader::from_text(text, "<t>");  // within the default limit: the end of the file finds the quote open
    ASSERT_TRUE(in.next());
    EXPECT_EQ(error_of([&] { in.next(); }).actual(), "the end of the file inside a quoted field");
}

TEST(CsvFiles, ReadsAFileOnDisk) {
    const fs::path folder = temp_folder("files");
    // Longer than a block of 64 bytes: lines, characters and CRLF pairs cross block boundaries.
    std::string text = "\xEF\xBB\xBFmember,note,paid\r\n";
    for (int k = 1; k <= 300; ++k)
        text += "m" + std::to_string(k) + ",\"caf\xC3\xA9 \xE2\x82\xAC\r\n\xF0\x9D\x84\x9E\"," + std::to_string(k) + ".5\r\n";
    write_bytes(folder / "claims.csv", text);
    for (const std::size_t block : block_sizes) {
        Reader in((folder / "claims.csv").string(), Options{.block_bytes = block});
        EXPECT_EQ(in.file(), (folder / "claims.csv").string());
        double total = 0.0;
        std::size_t last_line = 0;
        while (in.next()) {
            EXPECT_EQ(in.field(1), "caf\xC3\xA9 \xE2\x82\xAC\r\n\xF0\x9D\x84\x9E");
            total += in.number(in.column("paid"));
            last_line = in.line();
        }
        EXPECT_EQ(in.records(), 300u);
        EXPECT_EQ(total, 300.0 * 301.0 / 2.0 + 150.0);
        EXPECT_EQ(last_line, 2u + 2u * 299u);  // each record takes two lines
    }
    // A parse error deep in the file: its line and character.
    write_bytes(folder / "bad.csv", text + "m301,x\"y,1\r\n");
    const InvalidInput e = error_of([&] {
        Reader in((folder / "bad.csv").string(), Options{.block_bytes = 64});
        read_rest(in);
    });
    EXPECT_EQ(e.where(), (folder / "bad.csv").string() + ", line 602, character 7");
    fs::remove_all(folder);
}

TEST(CsvFiles, MissingFoldersEmptyAndBinaryFiles) {
    const fs::path folder = temp_folder("bad_files");
    const std::string missing = (folder / "missing.csv").string();
    InvalidInput e = error_of([&] { Reader in(missing); });
    EXPECT_EQ(e.where(), missing);
    EXPECT_EQ(e.actual(), "no such file");
    e = error_of([&] { Reader in(folder.string()); });
    EXPECT_EQ(e.where(), folder.string());
    EXPECT_EQ(e.actual(), "a folder");
    write_bytes(folder / "empty.csv", "");
    e = error_of([&] { Reader in((folder / "empty.csv").string()); });
    EXPECT_EQ(e.where(), (folder / "empty.csv").string());
    EXPECT_EQ(e.actual(), "an empty file (0 bytes)");
    std::string gzip = "\x1F\x8B\x08";
    gzip += std::string(1, '\0') + std::string(5000, 'x');
    write_bytes(folder / "claims.csv.gz", gzip);
    e = error_of([&] { Reader in((folder / "claims.csv.gz").string()); });
    EXPECT_EQ(e.where(), (folder / "claims.csv.gz").string() + ", line 1, character 2");
    EXPECT_NE(e.actual().find("0x8B"), std::string::npos);
    fs::remove_all(folder);
}

TEST(CsvRoundTrip, RandomFieldsReadBackIdentical) {
    Random random(20240611);
    const fs::path folder = temp_folder("round_trip");
    for (int round = 0; round < 300; ++round) {
        const Records table = random_table(random);
        const std::string text = write_csv(table, random);
        SCOPED_TRACE(text);
        EXPECT_EQ(read_text(text), table);
        if (round % 30 == 0) {
            write_bytes(folder / "t.csv", text);
            Reader in((folder / "t.csv").string(), Options{.block_bytes = 5});
            Records back{in.header()};
            for (auto& record : read_rest(in)) back.push_back(record);
            EXPECT_EQ(back, table);
        }
    }
    fs::remove_all(folder);
}

namespace {

/// Everything read from `text` with one block size, or the error: "records..." or "error: what".
std::string outcome(const std::string& text, std::size_t block) {
    std::string out;
    try {
        Reader in = Reader::from_text(text, "<fuzz>", Options{.block_bytes = block});
        out = std::to_string(in.header().size()) + " columns";
        while (in.next()) {
            if (in.size() != in.header().size()) return "a record of " + std::to_string(in.size()) + " fields";
            for (std::size_t i = 0; i < in.size(); ++i) out += "|" + std::string(in.field(i));
            out += "@" + std::to_string(in.line());
        }
    } catch (const InvalidInput& e) {
        return std::string("error: ") + e.what();
    }
    return out;
}

std::string mutate(std::string text, Random& random) {
    static const std::string interesting = {'"', ',', '\r', '\n', ' ', '\0', 'a', '\xC3', '\xA9', '\xFF', '\xE2'};
    for (std::size_t edits = 1 + random.below(4); edits > 0; --edits) {
        const std::size_t at = random.below(text.size() + 1);
        const char byte = random.chance(3) ? static_cast<char>(random.below(256)) : interesting[random.below(interesting.size())];
        switch (random.below(4)) {
            case 0: if (at < text.size()) text[at] = static_cast<char>(text[at] ^ (1 << random.below(8))); break;
            case 1: if (at < text.size()) text[at] = byte; break;
            case 2: text.insert(at, 1, byte); break;
            default: if (at < text.size()) text.erase(at, 1); break;
        }
    }
    return text;
}

}  // namespace

TEST(CsvFuzz, MutatedTextsGiveRecordsOrInvalidInput) {
    Random random(7);
    std::vector<std::string> seeds = {"id,text,amount\n1,\"a, b\",10\n2,\"multi\nline\",20\n3,\"say \"\"hi\"\"\",30\n",
                                      "\xEF\xBB\xBFid,note\r\n1,\"x\r\ny\"\r\n2,plain\r\n\r\n  3 , \" q \" ",
                                      "claim_id,paid\nc1,10.5\nc2,\xE2\x82\xAC\n"};
    for (int k = 0; k < 20; ++k) seeds.push_back(write_csv(random_table(random), random));
    std::size_t read_whole = 0, failed = 0;
    for (int iteration = 0; iteration < 20000; ++iteration) {
        const std::string text = mutate(seeds[random.below(seeds.size())], random);
        std::string first;
        try {
            first = outcome(text, Options{}.block_bytes);
            // Block boundaries change nothing (checked on every fourth text: a tenth of the time).
            if (iteration % 4 == 0) {
                for (const std::size_t block : {std::size_t{4}, std::size_t{7}}) ASSERT_EQ(outcome(text, block), first) << "block " << block << " on " << ::testing::PrintToString(text);
            }
        } catch (const std::exception& e) {
            FAIL() << "not an InvalidInput: " << e.what() << " on " << ::testing::PrintToString(text);
        }
        ASSERT_EQ(first.find("a record of"), std::string::npos) << first;
        (first.rfind("error: ", 0) == 0 ? failed : read_whole) += 1;
    }
    // The mutations reach both outcomes.
    EXPECT_GT(read_whole, 2000u);
    EXPECT_GT(failed, 2000u);
}
