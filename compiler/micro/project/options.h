// Project options: checking what a caller passes against what a template
// declares (ProjectOption), shared by the client (TemplateProject,
// `ember micro`) and ember's template servers.
#pragma once

#include <string>
#include <vector>

#include "micro/project_api/protocol.h"
#include "support/status.h"

namespace ember::micro {

// Options that do not fit the template's declaration. what() names the
// option and lists the valid names or choices.
class ProjectOptionError : public ProjectApiError {
 public:
  using ProjectApiError::ProjectApiError;
};

// Checks `given` (an object name → value) for `method` ("generate_project",
// "build", "flash", "open_transport"; empty = only names and values):
//  - every name must be declared: else the error lists the declared names;
//  - values are converted to the declared type; strings are accepted for
//    every type, as tvmc passes them ("true", "4096"); null means not given;
//  - a value outside `choices` is an error listing the choices;
//  - an option `required` for `method` must have a value.
// Returns the converted options plus every declared option not given, with
// its default (null when it has none), as microTVM's add_unspecified_options.
Json CheckProjectOptions(const std::vector<ProjectOption>& declared, const Json& given,
                         const std::string& method);

// One line per option for help texts: "board={mps2-an385, ...} (required for
// generate_project) board to emulate. Default: mps2-an386."
std::string DescribeProjectOptions(const std::vector<ProjectOption>& declared);

// The compile_definitions option of ember's templates: items separated by
// spaces or tabs, each NAME or NAME=VALUE (split at the first '='), NAME a
// C identifier and VALUE printable ASCII without the characters CMake or
// make would interpret (\ $ ; # [ ]). Returns the items, or E0905 (exit 2)
// naming the first bad one. docs/safety.md.
Expected<std::vector<std::string>> ParseCompileDefinitions(const std::string& text);

// `items` as quoted CMake arguments ("A=1" "B=\"x\""), for set(VAR ...) in a
// generated CMakeLists.txt; items must have passed ParseCompileDefinitions.
std::string CMakeQuotedArguments(const std::vector<std::string>& items);

}  // namespace ember::micro
