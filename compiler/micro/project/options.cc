#include "micro/project/options.h"

#include <algorithm>
#include <cctype>

namespace ember::micro {
namespace {

std::string Names(const std::vector<ProjectOption>& declared) {
  std::string s;
  for (const auto& o : declared) s += (s.empty() ? "" : ", ") + o.name;
  return s.empty() ? "(none)" : s;
}

// A JSON value as the user wrote it: strings without quotes.
std::string Show(const Json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

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
    throw ProjectOptionError("project options must be an object of name: value; got " + given.dump());
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

}  // namespace ember::micro
