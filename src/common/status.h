// Status and Result<T>: how every layer reports failure. No exception crosses a module
// boundary; a function that can fail returns one of these. Result<T> is default
// constructible (it starts as kInternal "unset") because asio::co_spawn needs that.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "common/errc.h"

namespace cairn {

class [[nodiscard]] Status {
 public:
  Status() = default;

  Status(Errc code, std::string message = {}) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == Errc::kOk; }

  Errc code() const { return code_; }

  const std::string& message() const { return message_; }

  // "kNoSuchKey: message" for logs.
  std::string ToString() const;

  friend bool operator==(const Status& a, const Status& b) { return a.code_ == b.code_; }

 private:
  Errc code_ = Errc::kOk;
  std::string message_;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result() : status_(Errc::kInternal, "unset") {}

  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design

  Result(Status status) : status_(std::move(status)) {
    if (status_.ok()) {
      status_ = Status(Errc::kInternal, "Result built from an ok Status");
    }
  }

  Result(Errc code, std::string message = {}) : Result(Status(code, std::move(message))) {}

  bool ok() const { return value_.has_value(); }

  // The error; Status::Ok() when the result holds a value.
  const Status& status() const { return status_; }

  Errc code() const { return status_.code(); }

  T& value() & { return *value_; }

  const T& value() const& { return *value_; }

  T&& value() && { return std::move(*value_); }

  T* operator->() { return &*value_; }

  const T* operator->() const { return &*value_; }

  T& operator*() & { return *value_; }

  const T& operator*() const& { return *value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace cairn

#define CAIRN_CONCAT_INNER(a, b) a##b
#define CAIRN_CONCAT(a, b) CAIRN_CONCAT_INNER(a, b)

// In plain functions: return the error of a Status-returning expression.
#define RETURN_IF_ERROR(expr)     \
  do {                            \
    ::cairn::Status _st = (expr); \
    if (!_st.ok())                \
      return _st;                 \
  } while (0)

// In coroutines: co_return the error of a Status-returning expression.
#define CO_RETURN_IF_ERROR(expr)  \
  do {                            \
    ::cairn::Status _st = (expr); \
    if (!_st.ok())                \
      co_return _st;              \
  } while (0)

// `ASSIGN_OR_RETURN(auto x, F());` in plain functions.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(CAIRN_CONCAT(_res_, __LINE__), lhs, expr, return )
// `CO_ASSIGN_OR_RETURN(auto x, co_await F());` in coroutines.
#define CO_ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(CAIRN_CONCAT(_res_, __LINE__), lhs, expr, co_return )
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr, ret) \
  auto tmp = (expr);                               \
  if (!tmp.ok())                                   \
    ret tmp.status();                              \
  lhs = std::move(tmp).value()

// Debug-only invariant check, and a check for states we cannot continue from.
#ifdef NDEBUG
#define ASSERT(cond) ((void)0)
#else
#define ASSERT(cond) ((cond) ? (void)0 : ::cairn::AssertFail(#cond, __FILE__, __LINE__, ""))
#endif
#define RELEASE_ASSERT(cond, msg) \
  ((cond) ? (void)0 : ::cairn::AssertFail(#cond, __FILE__, __LINE__, msg))

namespace cairn {
[[noreturn]] void AssertFail(const char* cond, const char* file, int line, const char* msg);
}  // namespace cairn
