// What the sources of the module _ember share (module.cc, micro.cc): the
// Python exception classes, the helpers that raise them for ember's
// diagnostics, and the tensor descriptions.
#pragma once

#include <pybind11/pybind11.h>

#include <utility>
#include <vector>

#include "ir/graph.h"
#include "support/status.h"

namespace ember::python {

namespace py = pybind11;

// Created at module import (module.cc).
inline PyObject* g_ember_error = nullptr;               // ember.EmberError
inline PyObject* g_unsupported_mlf_error = nullptr;     // ember.micro.UnsupportedInModelLibraryFormatError
inline PyObject* g_session_terminated_error = nullptr;  // ember.micro.SessionTerminatedError
inline PyObject* g_session_timeout_error = nullptr;     // ember.micro.SessionTimeoutError

// An instance of `cls` (EmberError or a subclass) for `d`: str() is the
// diagnostic as the CLI prints it; .id, .message, .hint and .exit_code its
// parts.
inline py::object MakeError(const Diagnostic& d, PyObject* cls = g_ember_error) {
  py::object inst = py::reinterpret_borrow<py::object>(cls)(d.ToString());
  inst.attr("id") = d.id;
  inst.attr("message") = d.message;
  inst.attr("hint") = d.hint;
  inst.attr("exit_code") = static_cast<int>(d.exit);
  return inst;
}

// Raises MakeError(d, cls).
[[noreturn]] inline void Raise(const Diagnostic& d, PyObject* cls = g_ember_error) {
  py::object inst = MakeError(d, cls);
  PyErr_SetObject(cls, inst.ptr());
  throw py::error_already_set();
}

template <typename T>
T ValueOrRaise(Expected<T> e, PyObject* cls = g_ember_error) {
  if (!e.ok()) Raise(e.diag(), cls);
  return std::move(e).value();
}

inline void OkOrRaise(const Status& st, PyObject* cls = g_ember_error) {
  if (!st.ok()) Raise(st.diag(), cls);
}

// {name, dtype, shape[, scale, zero_point]} of a tensor, and of a list.
py::dict TensorInfo(const ir::Tensor& t);
py::list TensorInfos(const ir::Graph& g, const std::vector<ir::TensorId>& ids);

// Binds ember.micro's project, session and executor classes (micro.cc).
void BindMicro(py::module_& m);

}  // namespace ember::python
