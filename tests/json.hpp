// A strict JSON reader for tests that check what ocfctl prints under --json
// (docs/ocfctl.md): RFC 8259 only, so that anything a script's parser would
// refuse (a trailing comma, a bare NaN, a control character in a string,
// text after the document) fails here too. Objects keep their keys in order.
#ifndef OCF_TESTS_JSON_HPP
#define OCF_TESTS_JSON_HPP

#include <cstddef>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ocft::json {

struct value {
	enum class kind { null, boolean, number, string, array, object };
	kind type = kind::null;
	bool boolean = false;
	double number = 0;
	std::string text;		 // a string's value; a number's digits as written
	std::vector<value> items;	 // an array's
	std::vector<std::pair<std::string, value>> members; // an object's, in order

	bool is(kind k) const noexcept { return type == k; }
	// An object's member, or nullptr.
	const value *find(std::string_view key) const
	{
		for (const auto &[k, v] : members)
			if (k == key)
				return &v;
		return nullptr;
	}
	// An object's member; throws when there is none.
	const value &at(std::string_view key) const
	{
		if (const value *v = find(key))
			return *v;
		throw std::runtime_error("no key \"" + std::string(key) + "\"");
	}
	std::vector<std::string> keys() const
	{
		std::vector<std::string> out;
		for (const auto &m : members)
			out.push_back(m.first);
		return out;
	}
	// A number that is a whole one, written without fraction or exponent.
	bool is_integer() const
	{
		return type == kind::number && text.find_first_of(".eE") == std::string::npos;
	}
};

namespace detail {

class parser {
public:
	explicit parser(std::string_view text) : text_(text) {}

	value document()
	{
		value v = parse_value(0);
		skip_space();
		if (pos_ != text_.size())
			fail("text after the document");
		return v;
	}

private:
	[[noreturn]] void fail(const std::string &what) const
	{
		throw std::runtime_error("JSON: " + what + " at offset " + std::to_string(pos_));
	}
	void skip_space()
	{
		while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
					       text_[pos_] == '\n' || text_[pos_] == '\r'))
			++pos_;
	}
	char peek()
	{
		skip_space();
		if (pos_ >= text_.size())
			fail("unexpected end");
		return text_[pos_];
	}
	void expect(char c)
	{
		if (peek() != c)
			fail(std::string("expected '") + c + "'");
		++pos_;
	}
	bool literal(std::string_view word)
	{
		if (text_.substr(pos_, word.size()) != word)
			return false;
		pos_ += word.size();
		return true;
	}

	value parse_value(int depth)
	{
		if (depth > 64)
			fail("nested too deep");
		value v;
		char c = peek();
		if (c == '{') {
			v.type = value::kind::object;
			++pos_;
			if (peek() == '}') {
				++pos_;
				return v;
			}
			for (;;) {
				if (peek() != '"')
					fail("expected a key");
				std::string key = parse_string();
				if (v.find(key))
					fail("duplicate key \"" + key + "\"");
				expect(':');
				v.members.emplace_back(std::move(key), parse_value(depth + 1));
				if (peek() == ',') {
					++pos_;
					continue;
				}
				expect('}');
				return v;
			}
		}
		if (c == '[') {
			v.type = value::kind::array;
			++pos_;
			if (peek() == ']') {
				++pos_;
				return v;
			}
			for (;;) {
				v.items.push_back(parse_value(depth + 1));
				if (peek() == ',') {
					++pos_;
					continue;
				}
				expect(']');
				return v;
			}
		}
		if (c == '"') {
			v.type = value::kind::string;
			v.text = parse_string();
			return v;
		}
		if (literal("null"))
			return v;
		if (literal("true") || literal("false")) {
			v.type = value::kind::boolean;
			v.boolean = text_[pos_ - 4] == 't';
			return v;
		}
		return parse_number();
	}

	value parse_number()
	{
		std::size_t start = pos_;
		auto digits = [&] {
			std::size_t from = pos_;
			while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9')
				++pos_;
			return pos_ - from;
		};
		if (pos_ < text_.size() && text_[pos_] == '-')
			++pos_;
		if (pos_ < text_.size() && text_[pos_] == '0')
			++pos_;
		else if (!digits())
			fail("not a JSON value");
		if (pos_ < text_.size() && text_[pos_] == '.') {
			++pos_;
			if (!digits())
				fail("no digits after '.'");
		}
		if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
			++pos_;
			if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-'))
				++pos_;
			if (!digits())
				fail("no digits in the exponent");
		}
		value v;
		v.type = value::kind::number;
		v.text = std::string(text_.substr(start, pos_ - start));
		v.number = std::strtod(v.text.c_str(), nullptr);
		return v;
	}

	std::string parse_string()
	{
		++pos_; // the opening quote
		std::string out;
		for (;;) {
			if (pos_ >= text_.size())
				fail("unterminated string");
			auto c = static_cast<unsigned char>(text_[pos_++]);
			if (c == '"')
				return out;
			if (c < 0x20)
				fail("a control character in a string");
			if (c != '\\') {
				out += static_cast<char>(c);
				continue;
			}
			if (pos_ >= text_.size())
				fail("unterminated escape");
			char e = text_[pos_++];
			switch (e) {
			case '"': out += '"'; break;
			case '\\': out += '\\'; break;
			case '/': out += '/'; break;
			case 'b': out += '\b'; break;
			case 'f': out += '\f'; break;
			case 'n': out += '\n'; break;
			case 'r': out += '\r'; break;
			case 't': out += '\t'; break;
			case 'u': {
				if (pos_ + 4 > text_.size())
					fail("short \\u escape");
				unsigned code = 0;
				for (int i = 0; i < 4; ++i) {
					char h = text_[pos_++];
					code <<= 4;
					if (h >= '0' && h <= '9')
						code |= static_cast<unsigned>(h - '0');
					else if (h >= 'a' && h <= 'f')
						code |= static_cast<unsigned>(h - 'a' + 10);
					else if (h >= 'A' && h <= 'F')
						code |= static_cast<unsigned>(h - 'A' + 10);
					else
						fail("bad \\u escape");
				}
				// Tests only need to know it was valid; keep ASCII as is.
				out += code < 0x80 ? static_cast<char>(code) : '?';
				break;
			}
			default:
				fail(std::string("bad escape \\") + e);
			}
		}
	}

	std::string_view text_;
	std::size_t pos_ = 0;
};

} // namespace detail

// Parses one JSON document (whitespace around it allowed); throws
// std::runtime_error saying what and where when @text is not exactly that.
inline value parse(std::string_view text)
{
	return detail::parser(text).document();
}

} // namespace ocft::json

#endif // OCF_TESTS_JSON_HPP
