// Streaming CSV reader on libcsv (core/csv.hpp).
//
// Blocks of the file are cut into pieces that end at a line feed or a carriage return (or
// at the block's end), and libcsv parses one piece at a time. libcsv ends a record only at
// a CR or LF outside quotes, so a record always ends with the piece being fed: the line
// count, the character position of an error and the check that a CR is followed by LF all
// follow from where the piece lies in its physical line.
#include "apmsim/core/csv.hpp"

#include "apmsim/core/errors.hpp"

#include <csv.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <new>

namespace apmsim::csv {

namespace {

constexpr unsigned char strict_options = CSV_STRICT | CSV_STRICT_FINI;

bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }
bool is_blank(char c) { return c == ' ' || c == '\t'; }

/// UTF-8 characters in [s, s + n) (bytes that start one).
std::size_t characters(const char* s, std::size_t n) {
    return static_cast<std::size_t>(std::count_if(s, s + n, [](char c) { return !is_continuation(static_cast<unsigned char>(c)); }));
}

/// Bytes of the UTF-8 sequence that `lead` starts; 0 when it cannot start one.
std::size_t sequence_length(unsigned char lead) {
    if (lead < 0x80) return 1;
    if (lead >= 0xC2 && lead <= 0xDF) return 2;
    if (lead >= 0xE0 && lead <= 0xEF) return 3;
    if (lead >= 0xF0 && lead <= 0xF4) return 4;
    return 0;
}

/// Whether the `length` bytes at s form one UTF-8 character: no overlong form, no
/// surrogate, nothing above U+10FFFF.
bool valid_sequence(const unsigned char* s, std::size_t length) {
    for (std::size_t k = 1; k < length; ++k)
        if (!is_continuation(s[k])) return false;
    if (length == 3) return !(s[0] == 0xE0 && s[1] < 0xA0) && !(s[0] == 0xED && s[1] > 0x9F);
    if (length == 4) return !(s[0] == 0xF0 && s[1] < 0x90) && !(s[0] == 0xF4 && s[1] > 0x8F);
    return true;
}

/// Offset of the first byte of [text, text + n) that is NUL or not UTF-8, or n.
std::size_t first_bad_byte(const char* text, std::size_t n) {
    const auto* s = reinterpret_cast<const unsigned char*>(text);
    constexpr std::uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    std::size_t k = 0;
    while (k < n) {
        if (k + 8 <= n) {  // eight ASCII bytes without a NUL at once
            std::uint64_t w;
            std::memcpy(&w, s + k, 8);
            if (((w | ((w - ones) & ~w)) & highs) == 0) {
                k += 8;
                continue;
            }
        }
        const std::size_t length = sequence_length(s[k]);
        if (s[k] == 0 || length == 0 || k + length > n || !valid_sequence(s + k, length)) return k;
        k += length;
    }
    return n;
}

/// Bytes at the end of [s, s + n) that begin a UTF-8 character the block cuts off.
std::size_t incomplete_tail(const char* s, std::size_t n) {
    for (std::size_t k = 1; k <= 3 && k <= n; ++k) {
        const auto c = static_cast<unsigned char>(s[n - k]);
        if (!is_continuation(c)) return sequence_length(c) > k ? k : 0;
    }
    return 0;
}

std::string in_quotes(std::string_view text) {
    std::string quoted = "\"";
    quoted += text;
    quoted += '"';
    return quoted;
}

}  // namespace

std::optional<double> parse_number(std::string_view text) {
    while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
    if (!text.empty() && text.front() == '+') {
        text.remove_prefix(1);
        if (!text.empty() && text.front() == '-') return std::nullopt;  // "+-1"
    }
    const std::size_t first = !text.empty() && text.front() == '-' ? 1 : 0;
    // A digit or '.' first: from_chars would also take inf, infinity and nan.
    if (first >= text.size() || !((text[first] >= '0' && text[first] <= '9') || text[first] == '.')) return std::nullopt;
    double value = 0.0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, std::chars_format::general);
    if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;  // trailing text, or out of range
    return value;
}

/// libcsv, the source of bytes, and where the parse is in the file.
struct Reader::Parser {
    std::string file;
    Options options;
    csv_parser csv{};
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> in{nullptr, &std::fclose};
    std::string source;          // from_text: the whole text, copied into blocks as from a file
    std::size_t source_pos = 0;
    std::string buf;             // the current block
    std::size_t pos = 0, end = 0, filled = 0;  // next byte to parse, end of whole characters, end of bytes read
    bool first_block = true, eof = false, finished = false;
    std::size_t line = 1, line_start = 0, carry_chars = 0;  // line of buf[pos], its start in buf, its characters in earlier blocks
    bool in_record = false, record_ended = false;
    std::size_t record_line = 0, record_bytes = 0;
    char last_fed = '\n';        // the last byte parsed that is not a blank
    std::uint64_t bytes_read = 0;
    std::string* text = nullptr;              // the fields of the record being read
    std::vector<std::size_t>* ends = nullptr;
    std::exception_ptr failure;               // an error thrown again by every later read

    Parser(std::string name, Options o) : file(std::move(name)), options(o) {
        options.block_bytes = std::max<std::size_t>(options.block_bytes, 4);
        csv_init(&csv, strict_options);
        buf.resize(options.block_bytes);
    }
    Parser(const Parser&) = delete;
    Parser& operator=(const Parser&) = delete;
    ~Parser() { csv_free(&csv); }

    static void on_field(void* data, std::size_t n, void* self);
    static void on_record(int, void* self);
    std::string at(std::size_t at_line) const { return file + ", line " + std::to_string(at_line); }
    std::string at(std::size_t at_line, std::size_t column) const { return at(at_line) + ", character " + std::to_string(column); }
    std::size_t column_of(std::size_t offset) const { return carry_chars + characters(buf.data() + line_start, offset - line_start) + 1; }
    std::size_t read_some(char* to, std::size_t n);
    bool refill();
    void feed_piece();
    [[noreturn]] void fail_text(std::size_t offset) const;
    void check_after_cr();
    [[noreturn]] void fail_parse(std::size_t offset);
    bool finish();
    bool read(std::string& out_text, std::vector<std::size_t>& out_ends, std::size_t& out_line);
};

void Reader::Parser::on_field(void* data, std::size_t n, void* self) {
    auto& p = *static_cast<Parser*>(self);
    try {  // no exception may cross libcsv's C frames
        p.text->append(static_cast<const char*>(data), n);
        p.ends->push_back(p.text->size());
    } catch (...) {
        if (!p.failure) p.failure = std::current_exception();
    }
}

void Reader::Parser::on_record(int, void* self) { static_cast<Parser*>(self)->record_ended = true; }

std::size_t Reader::Parser::read_some(char* to, std::size_t n) {
    if (!in) {
        const std::size_t got = std::min(n, source.size() - source_pos);
        std::memcpy(to, source.data() + source_pos, got);
        source_pos += got;
        return got;
    }
    const std::size_t got = std::fread(to, 1, n, in.get());
    if (got == 0 && std::ferror(in.get())) throw InvalidInput(file, "a file that can be read", "a read error");
    return got;
}

/// The next block after the bytes parsed; false at the end of the input. Bytes of a
/// character the block cuts off stay for the next block.
bool Reader::Parser::refill() {
    if (eof) return false;
    carry_chars += characters(buf.data() + line_start, pos - line_start);
    std::memmove(buf.data(), buf.data() + pos, filled - pos);
    filled -= pos;
    pos = line_start = 0;
    while (filled < buf.size() && !eof) {
        const std::size_t got = read_some(buf.data() + filled, buf.size() - filled);
        filled += got;
        bytes_read += got;
        eof = got == 0;
    }
    end = eof ? filled : filled - incomplete_tail(buf.data(), filled);
    if (first_block && filled >= 3 && std::memcmp(buf.data(), "\xEF\xBB\xBF", 3) == 0) pos = line_start = 3;  // the BOM
    first_block = false;
    if (pos == end && !eof) return refill();  // the block held only a BOM and a cut-off character
    return pos < end;
}

/// buf[offset] is a NUL byte or not UTF-8.
void Reader::Parser::fail_text(std::size_t offset) const {
    const auto byte = static_cast<unsigned char>(buf[offset]);
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned>(byte));
    throw InvalidInput(at(line, column_of(offset)), "text in UTF-8",
                       byte == 0 ? std::string("a NUL byte (a binary file?)")
                                 : "the byte " + std::string(hex) + ", not UTF-8 (a binary file, or another encoding such as Latin-1?)");
}

/// libcsv stopped at buf[offset]: a quote inside an unquoted field, or text after a closing quote.
void Reader::Parser::fail_parse(std::size_t offset) {
    if (failure) std::rethrow_exception(failure);
    if (csv_error(&csv) != CSV_EPARSE) throw std::bad_alloc();
    std::size_t before = offset;  // the byte before the blanks before buf[offset]
    while (before > pos && is_blank(buf[before - 1])) --before;
    const char previous = before > pos ? buf[before - 1] : last_fed;
    const char c = buf[offset];
    const std::string where = at(line, column_of(offset));
    if (c == '"' && previous != '"')
        throw InvalidInput(where, "a quote only inside a quoted field (a\"b is written \"a\"\"b\")", "a quote inside an unquoted field");
    const std::size_t length = std::min(std::max<std::size_t>(sequence_length(static_cast<unsigned char>(c)), 1), end - offset);
    throw InvalidInput(where, "a comma or a line end after a closing quote",
                       c == '"' ? "another quote after the closing quote and blanks"
                                : in_quotes(std::string_view(buf).substr(offset, length)) + " after the closing quote");
}

/// A CR that ended a record must be followed by LF (or the end of the file): a CR alone
/// is not a line end. Reads the next block when the CR ends this one.
void Reader::Parser::check_after_cr() {
    const bool refilled = pos == end;
    if (refilled && !refill()) return;
    if (buf[pos] == '\n') return;
    // After a refill the line's characters so far, the CR included, are in carry_chars.
    throw InvalidInput(at(line, refilled ? carry_chars : column_of(pos - 1)), "a line end as LF or CRLF", "a carriage return (CR) alone");
}

/// Parses the bytes from pos to the next CR or LF (included) or the end of the block.
void Reader::Parser::feed_piece() {
    const char* start = buf.data() + pos;
    std::size_t n = end - pos;
    if (const void* lf = std::memchr(start, '\n', n)) n = static_cast<std::size_t>(static_cast<const char*>(lf) - start) + 1;
    if (const void* cr = std::memchr(start, '\r', n)) n = static_cast<std::size_t>(static_cast<const char*>(cr) - start) + 1;
    const std::size_t bad = first_bad_byte(start, n);  // n when all is text
    // libcsv starts a record at the first byte that is not a blank or a line end.
    if (!in_record && std::any_of(start, start + n, [](char c) { return !is_blank(c) && c != '\r' && c != '\n'; })) {
        in_record = true;
        record_line = line;
        record_bytes = 0;
    }
    // Up to a bad byte only, so that the first error in the line is reported, whatever the blocks.
    const std::size_t parsed = csv_parse(&csv, start, bad, &on_field, &on_record, this);
    if (failure) std::rethrow_exception(failure);
    if (parsed < bad) fail_parse(pos + parsed);
    if (bad < n) fail_text(pos + bad);
    pos += n;
    const char last = start[n - 1];
    for (std::size_t k = n; k > 0; --k)
        if (!is_blank(start[k - 1])) {
            last_fed = start[k - 1];
            break;
        }
    if (last == '\n') {
        ++line;
        line_start = pos;
        carry_chars = 0;
    }
    if (record_ended) {
        in_record = false;
        if (last == '\r') check_after_cr();  // may read the next block
        return;
    }
    if (in_record && (record_bytes += n) > options.max_record_bytes)
        throw InvalidInput(at(record_line), "a record of at most " + std::to_string(options.max_record_bytes) + " bytes",
                           "a longer one (an unbalanced quote?)");
}

/// The end of the input: the last record when it has no line end.
bool Reader::Parser::finish() {
    finished = true;
    record_ended = false;
    if (csv_fini(&csv, &on_field, &on_record, this) != 0)
        throw InvalidInput(at(record_line), "a closing quote", "the end of the file inside a quoted field");
    if (failure) std::rethrow_exception(failure);
    return record_ended;
}

/// Parses until a record ends: true with its fields and first line, false at the end.
bool Reader::Parser::read(std::string& out_text, std::vector<std::size_t>& out_ends, std::size_t& out_line) {
    if (failure) std::rethrow_exception(failure);
    if (finished) return false;
    text = &out_text;
    ends = &out_ends;
    record_ended = false;
    try {
        while (!record_ended) {
            if (pos == end && !refill()) {
                if (!finish()) return false;
                break;
            }
            feed_piece();
        }
    } catch (...) {
        failure = std::current_exception();
        throw;
    }
    in_record = false;
    out_line = record_line;
    return true;
}

std::unique_ptr<Reader::Parser> Reader::open(const std::string& path, Options options) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (ec || !fs::exists(status)) throw InvalidInput(path, "a CSV file", "no such file");
    if (!fs::is_regular_file(status))
        throw InvalidInput(path, "a CSV file", fs::is_directory(status) ? "a folder" : "not a regular file (a device, pipe or socket)");
    const auto size = fs::file_size(path, ec);
    if (!ec) options.block_bytes = std::min<std::uintmax_t>(options.block_bytes, size);  // no 1 MiB block for a small file
    auto parser = std::make_unique<Parser>(path, options);
    parser->in.reset(std::fopen(path.c_str(), "rb"));
    if (!parser->in) throw InvalidInput(path, "a CSV file that can be opened", "a file that cannot be opened (permissions?)");
    return parser;
}

Reader::Reader(const std::string& path, Options options) : Reader(open(path, options)) {}

Reader::Reader(std::unique_ptr<Parser> parser) : file_(parser->file), parser_(std::move(parser)) { read_header(); }

Reader Reader::from_text(std::string text, std::string name, Options options) {
    options.block_bytes = std::min(options.block_bytes, text.size());  // no 1 MiB block for a short text
    auto parser = std::make_unique<Parser>(std::move(name), options);
    parser->source = std::move(text);
    return Reader(std::move(parser));
}

Reader::Reader(Reader&&) noexcept = default;
Reader& Reader::operator=(Reader&&) noexcept = default;
Reader::~Reader() = default;

void Reader::read_header() {
    if (!parser_->read(text_, ends_, line_))
        throw InvalidInput(file_, "a header row (the column names)", parser_->bytes_read == 0 ? "an empty file (0 bytes)" : "only blank lines");
    for (std::size_t i = 0; i < size(); ++i) {
        const std::string name(field(i));
        const std::string where = file_ + ", line " + std::to_string(line_) + ", column " + std::to_string(i + 1);
        if (name.empty()) throw InvalidInput(where, "a column name", "an empty name");
        if (const auto same = find_column(name))
            throw InvalidInput(where, "a column name unlike the others", in_quotes(name) + " again (also column " + std::to_string(*same + 1) + ")");
        header_.push_back(name);
    }
    text_.clear();
    ends_.clear();
}

bool Reader::next() {
    text_.clear();
    ends_.clear();
    if (!parser_->read(text_, ends_, line_)) return false;
    ++records_;
    if (ends_.size() != header_.size())
        throw InvalidInput(parser_->at(line_), std::to_string(header_.size()) + " fields, as in the header",
                           std::to_string(ends_.size()) + (ends_.size() == 1 ? " field" : " fields"));
    return true;
}

std::optional<std::size_t> Reader::find_column(const std::string& name) const {
    const auto it = std::find(header_.begin(), header_.end(), name);
    if (it == header_.end()) return std::nullopt;
    return static_cast<std::size_t>(it - header_.begin());
}

std::size_t Reader::column(const std::string& name) const {
    if (const auto i = find_column(name)) return *i;
    std::string all;
    for (const auto& h : header_) all += (all.empty() ? "" : ", ") + h;
    throw InvalidInput(file_ + ": header", "a column " + in_quotes(name), "columns " + all);
}

std::string Reader::where(std::size_t i) const {
    const std::string name = i < header_.size() ? header_[i] + " (" + std::to_string(i + 1) + ")" : std::to_string(i + 1);
    return file_ + ", line " + std::to_string(line_) + ", column " + name;
}

double Reader::number(std::size_t i) const {
    const std::string_view text = field(i);
    if (const auto value = parse_number(text)) return *value;
    const bool empty = std::all_of(text.begin(), text.end(), is_blank);
    throw InvalidInput(where(i), "a number", empty ? "an empty field" : in_quotes(text));
}

}  // namespace apmsim::csv
