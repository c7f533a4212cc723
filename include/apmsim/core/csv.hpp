#pragma once
/// \file csv.hpp
/// \brief Reading CSV files (RFC 4180) record by record in constant memory, with errors that
/// name the file, the line and the column.
///
/// The format read (libcsv in strict mode underneath):
/// - Fields are separated by commas, records by line ends: LF or CRLF. A carriage return
///   alone outside quotes is an error. The last record needs no line end.
/// - A quoted field ("...") may hold commas, line ends and quotes (doubled: ""). A quote
///   inside an unquoted field, text after a closing quote, and a quoted field the file ends
///   in are errors, never guessed at.
/// - Unquoted fields lose their leading and trailing spaces and tabs (quote a field to keep
///   them); blanks around a quoted field are ignored.
/// - Blank lines (empty, or spaces and tabs only) are skipped, so a record of one empty
///   field is written `""`.
/// - The first record is the header: column names, none empty, none repeated. Every other
///   record has as many fields as the header.
/// - UTF-8 text, with or without a byte-order mark (dropped). A NUL byte or bytes that are
///   not UTF-8 are an error: a binary file, or another encoding such as Latin-1.
///
/// Errors are InvalidInput whose where() is `<file>, line 12` (the physical line a record
/// starts on), `<file>, line 12, character 8` (a parse error at the 8th character of line
/// 12), or `<file>, line 12, column paid (8)` (a field's value, Reader::where). Line numbers
/// count line feeds, so they stay right after fields that hold line ends.
///
/// \code
/// apmsim::csv::Reader in("claims.csv");
/// const std::size_t paid = in.column("paid");
/// double total = 0.0;
/// while (in.next()) total += in.number(paid);
/// \endcode

#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace apmsim::csv {

/// How a Reader reads; the defaults suit every file.
struct Options {
    /// Bytes read from the file at a time (at least 4): memory does not grow with the file.
    std::size_t block_bytes = std::size_t{1} << 20;
    /// The longest record, in bytes as in the file. An unbalanced quote would otherwise read
    /// the rest of the file into one field; a longer record is an InvalidInput.
    std::size_t max_record_bytes = std::size_t{64} << 20;
};

/// `text` as a finite number: decimal, optionally signed (a leading '+' is allowed), with an
/// optional exponent, and blanks (spaces, tabs) around it; std::nullopt for anything else:
/// empty, inf, nan, hexadecimal, thousands separators, currency signs, or beyond a double's
/// range. Locale independent (std::from_chars): the decimal separator is always '.'.
std::optional<double> parse_number(std::string_view text);

/// A CSV file read record by record (see the file comment for the format). Not thread-safe:
/// one Reader per thread.
class Reader {
public:
    /// Opens `path` and reads its header row. InvalidInput naming the file when it does not
    /// exist, is a folder or not a regular file, cannot be read, is empty (0 bytes, or no
    /// header), or its header has an empty or repeated column name.
    explicit Reader(const std::string& path, Options options = {});
    /// The same over text in memory (`name` stands for the file in errors, e.g.
    /// "<claims DataFrame>"); the text is parsed in blocks too.
    static Reader from_text(std::string text, std::string name, Options options = {});

    Reader(Reader&&) noexcept;
    Reader& operator=(Reader&&) noexcept;
    ~Reader();

    const std::string& file() const { return file_; }
    const std::vector<std::string>& header() const { return header_; }
    /// Index of column `name`, or InvalidInput("<file>: header", "a column \"name\"", "columns a, b, c").
    std::size_t column(const std::string& name) const;
    std::optional<std::size_t> find_column(const std::string& name) const;

    /// Reads the next record; false at the end of the file. Throws InvalidInput naming the
    /// file and line (and the character where known) for a parse error (an unbalanced quote,
    /// a quote inside an unquoted field, text after a closing quote, a carriage return
    /// alone), a record longer than Options::max_record_bytes, a NUL byte or invalid UTF-8,
    /// or a record with a different number of fields than the header. After a record with
    /// the wrong number of fields next() goes on with the following record (size() tells
    /// how many it had); after any other error every next() throws that error again.
    bool next();

    /// Fields of the current record (0 before the first next() and after the last).
    std::size_t size() const { return ends_.size(); }
    /// Field i of the current record, valid until the next call of next().
    std::string_view field(std::size_t i) const {
        if (i >= ends_.size())
            throw std::out_of_range("csv::Reader::field(" + std::to_string(i) + "): the record has " +
                                    std::to_string(ends_.size()) + " fields");
        const std::size_t begin = i == 0 ? 0 : ends_[i - 1];
        return std::string_view(text_).substr(begin, ends_[i] - begin);
    }
    /// 1-based physical line where the current record starts (the header's before the first next()).
    std::size_t line() const { return line_; }
    /// Records read so far (the header not counted).
    std::size_t records() const { return records_; }
    /// "<file>, line 12, column paid (8)": the `where` of an error about field i of the
    /// current record (its column name and 1-based position).
    std::string where(std::size_t i) const;
    /// Field i as a finite number (parse_number): InvalidInput(where(i), "a number", "\"abc\"").
    double number(std::size_t i) const;
    /// Like number but std::nullopt for an empty or unparseable field instead of throwing
    /// (for data cleaning that counts bad values).
    std::optional<double> try_number(std::size_t i) const { return parse_number(field(i)); }

private:
    struct Parser;  // libcsv and the file's blocks (csv.cpp)
    explicit Reader(std::unique_ptr<Parser> parser);
    static std::unique_ptr<Parser> open(const std::string& path, Options options);
    void read_header();

    std::string file_;
    std::vector<std::string> header_;
    std::string text_;               // the current record's fields, back to back
    std::vector<std::size_t> ends_;  // where each field ends in text_
    std::size_t line_ = 0, records_ = 0;
    std::unique_ptr<Parser> parser_;
};

}  // namespace apmsim::csv
