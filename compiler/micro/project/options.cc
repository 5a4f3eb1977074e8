#include "micro/project/options.h"

#include "support/json_text.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <string_view>

namespace ember::micro {
namespace {

std::string Names(const std::vector<ProjectOption>& declared) {
  std::string s;
  for (const auto& o : declared) s += (s.empty() ? "" : ", ") + o.name;
  return s.empty() ? "(none)" : s;
}

// A JSON value as the user wrote it: strings without quotes.
std::string Show(const Json& v) { return v.is_string() ? v.get<std::string>() : DumpJson(v); }

std::string Choices(const ProjectOption& o) {
  std::string s;
  for (const Json& c : *o.choices) s += (s.empty() ? "" : ", ") + Show(c);
  return s;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

Json Convert(const ProjectOption& o, const Json& v) {
  auto fail = [&](const std::string& want) -> Json {
    throw ProjectOptionError("project option '" + o.name + "' must be " + want + "; got '" + Show(v) + "'");
  };
  if (o.type == "bool") {
    if (v.is_boolean()) return v;
    if (v.is_number_integer() && (v == 0 || v == 1)) return v == 1;
    if (v.is_string()) {
      const std::string s = Lower(v.get<std::string>());
      if (s == "true" || s == "1" || s == "yes" || s == "on") return true;
      if (s == "false" || s == "0" || s == "no" || s == "off") return false;
    }
    return fail("a bool (true or false)");
  }
  if (o.type == "int") {
    if (v.is_number_integer()) return v;
    if (v.is_string()) {
      const std::string s = v.get<std::string>();
      size_t used = 0;
      try {
        const long long x = std::stoll(s, &used, 0);
        if (used == s.size()) return x;
      } catch (const std::exception&) {
      }
    }
    return fail("an integer");
  }
  if (v.is_string()) return v;
  if (v.is_number() || v.is_boolean()) return Show(v);
  return fail("a string");
}

bool Lists(const std::optional<std::vector<std::string>>& methods, const std::string& method) {
  return methods && std::find(methods->begin(), methods->end(), method) != methods->end();
}

}  // namespace

Json CheckProjectOptions(const std::vector<ProjectOption>& declared, const Json& given, const std::string& method) {
  if (!given.is_null() && !given.is_object())
    throw ProjectOptionError("project options must be an object of name: value; got " + DumpJson(given));
  const Json in = given.is_null() ? Json::object() : given;
  for (const auto& [name, value] : in.items()) {
    const bool known = std::any_of(declared.begin(), declared.end(), [&](const auto& o) { return o.name == name; });
    if (!known) throw ProjectOptionError("unknown project option '" + name + "'; valid options: " + Names(declared));
  }
  Json out = Json::object();
  for (const ProjectOption& o : declared) {
    const Json v = in.contains(o.name) ? in[o.name] : Json();
    if (v.is_null()) {
      if (!method.empty() && Lists(o.required, method)) {
        std::string msg = "project option '" + o.name + "' is required for " + method;
        if (o.choices) msg += "; choose one of: " + Choices(o);
        throw ProjectOptionError(msg + " (" + o.help + ")");
      }
      out[o.name] = o.default_value;
      continue;
    }
    Json value = Convert(o, v);
    if (o.choices && std::find(o.choices->begin(), o.choices->end(), value) == o.choices->end())
      throw ProjectOptionError("project option '" + o.name + "' is '" + Show(v) + "'; choose one of: " + Choices(o));
    out[o.name] = std::move(value);
  }
  return out;
}

std::string DescribeProjectOptions(const std::vector<ProjectOption>& declared) {
  std::string s;
  for (const ProjectOption& o : declared) {
    std::string line = "  " + o.name + "=";
    if (o.choices) {
      line += "{" + Choices(o) + "}";
    } else if (o.type == "bool") {
      line += "{true, false}";
    } else {
      std::string up = o.name;
      for (char& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      line += up;
    }
    auto methods = [](const std::vector<std::string>& m) {
      std::string r;
      for (const auto& x : m) r += (r.empty() ? "" : ", ") + x;
      return r;
    };
    if (o.required && !o.required->empty()) line += " (required for " + methods(*o.required) + ")";
    line += "\n      " + o.help;
    if (!o.default_value.is_null()) line += " Default: " + Show(o.default_value) + ".";
    s += line + "\n";
  }
  return s;
}

namespace {

bool IsIdentifier(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

// Characters of a VALUE: printable ASCII, without those CMake lists, CMake
// generator expressions or make would interpret.
bool IsValueChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u > 0x20 && u < 0x7f && std::string_view("\\$;#[]").find(c) == std::string_view::npos;
}

// A readable form of a bad item: control characters as \xNN.
std::string Printable(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

}  // namespace

Expected<std::vector<std::string>> ParseCompileDefinitions(const std::string& text) {
  std::vector<std::string> items;
  size_t pos = 0;
  while (pos < text.size()) {
    if (text[pos] == ' ' || text[pos] == '\t') {
      ++pos;
      continue;
    }
    size_t end = text.find_first_of(" \t", pos);
    if (end == std::string::npos) end = text.size();
    const std::string item = text.substr(pos, end - pos);
    pos = end;
    const size_t eq = item.find('=');
    const std::string name = item.substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : item.substr(eq + 1);
    std::string why;
    if (!IsIdentifier(name)) {
      why = "'" + Printable(name) + "' is not a C identifier (letters, digits and '_', not starting with a digit)";
    } else if (const auto bad = std::find_if_not(value.begin(), value.end(), IsValueChar); bad != value.end()) {
      why = "its value holds '" + Printable(std::string(1, *bad)) +
            "'; values are printable ASCII without spaces and without \\ $ ; # [ ], which CMake or make would "
            "interpret";
    }
    if (!why.empty()) {
      return MakeDiag("E0905", ExitCode::kUsage,
                      "project option compile_definitions: '" + Printable(item) + "': " + why,
                      "write NAME or NAME=VALUE items separated by spaces, e.g. compile_definitions=\"USE_LED "
                      "BAUD=115200 GREETING=\\\"hi\\\"\"; put other values in a header of your own");
    }
    items.push_back(item);
  }
  return items;
}

std::string CMakeQuotedArguments(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    out += out.empty() ? "\"" : " \"";
    for (char c : item) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out;
}

}  // namespace ember::micro
