// Status and Result<T>: how every Kolibri module reports expected failures.
//
// A Status is either OK or carries an ErrorCode and a message written for the user who
// has to act on it ("model file 'x.gguf' not found"). Result<T> holds a T or a non-OK
// Status. Neither throws. Broken invariants are not Statuses: they abort via KOLIBRI_CHECK.
//
// Error codes map to exit codes in exactly one place (cli/exit_code.cc) and to HTTP
// statuses in exactly one place (server). Thread safety: values, freely copyable.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace kolibri {

enum class ErrorCode {
  kOk = 0,
  kInvalidArgument,     // the caller's input is wrong (bad option value, bad schema)
  kNotFound,            // a named file, model, task or item does not exist
  kAlreadyExists,       // creating something that is there
  kCorrupt,             // data is malformed (truncated GGUF, broken MIME)
  kUnsupported,         // valid but not handled (unknown architecture, remote $ref)
  kOutOfRange,          // a value exceeds a limit (prompt longer than the context)
  kResourceExhausted,   // a queue, budget or memory limit is full; retry later
  kUnavailable,         // a dependency is down or draining; retry elsewhere
  kDeadlineExceeded,    // a deadline or timeout passed
  kCancelled,           // the caller went away or asked to stop
  kFailedPrecondition,  // the system is not in a state to do this
  kPermissionDenied,    // authenticated but not allowed
  kUnauthenticated,     // missing or wrong credentials
  kIoError,             // the OS refused a read or write
  kInternal,            // a bug or an unexpected dependency failure
};

// Stable lower-case name of a code ("invalid_argument"), used in logs and error bodies.
std::string_view ErrorCodeName(ErrorCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) { return {ErrorCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {ErrorCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {ErrorCode::kAlreadyExists, std::move(m)}; }
  static Status Corrupt(std::string m) { return {ErrorCode::kCorrupt, std::move(m)}; }
  static Status Unsupported(std::string m) { return {ErrorCode::kUnsupported, std::move(m)}; }
  static Status OutOfRange(std::string m) { return {ErrorCode::kOutOfRange, std::move(m)}; }
  static Status ResourceExhausted(std::string m) { return {ErrorCode::kResourceExhausted, std::move(m)}; }
  static Status Unavailable(std::string m) { return {ErrorCode::kUnavailable, std::move(m)}; }
  static Status DeadlineExceeded(std::string m) { return {ErrorCode::kDeadlineExceeded, std::move(m)}; }
  static Status Cancelled(std::string m) { return {ErrorCode::kCancelled, std::move(m)}; }
  static Status FailedPrecondition(std::string m) { return {ErrorCode::kFailedPrecondition, std::move(m)}; }
  static Status PermissionDenied(std::string m) { return {ErrorCode::kPermissionDenied, std::move(m)}; }
  static Status Unauthenticated(std::string m) { return {ErrorCode::kUnauthenticated, std::move(m)}; }
  static Status IoError(std::string m) { return {ErrorCode::kIoError, std::move(m)}; }
  static Status Internal(std::string m) { return {ErrorCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "invalid_argument: <message>", or "ok".
  std::string ToString() const;
  // The same code with "context: " put before the message.
  Status WithContext(std::string_view context) const;

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

// Holds a T or a non-OK Status. Accessing value() of an error aborts (a bug, not input).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    if (std::get<Status>(v_).ok()) {
      std::fprintf(stderr, "kolibri: Result constructed from an OK Status\n");
      std::abort();
    }
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(v_);
  }
  T& value() & { return Checked(); }
  const T& value() const& { return const_cast<Result*>(this)->Checked(); }
  T&& value() && { return std::move(Checked()); }
  T* operator->() { return &Checked(); }
  const T* operator->() const { return &const_cast<Result*>(this)->Checked(); }
  T& operator*() & { return Checked(); }
  const T& operator*() const& { return const_cast<Result*>(this)->Checked(); }

 private:
  T& Checked() {
    if (!ok()) {
      std::fprintf(stderr, "kolibri: value() of a failed Result: %s\n",
                   std::get<Status>(v_).ToString().c_str());
      std::abort();
    }
    return std::get<T>(v_);
  }
  std::variant<T, Status> v_;
};

}  // namespace kolibri

// Returns the Status of `expr` from the enclosing function when it is not OK.
#define KOLIBRI_RETURN_IF_ERROR(expr)                 \
  do {                                                \
    ::kolibri::Status kolibri_status_ = (expr);       \
    if (!kolibri_status_.ok()) return kolibri_status_; \
  } while (false)

#define KOLIBRI_CONCAT_INNER_(a, b) a##b
#define KOLIBRI_CONCAT_(a, b) KOLIBRI_CONCAT_INNER_(a, b)
// `KOLIBRI_ASSIGN_OR_RETURN(auto x, Foo());` — binds the value or returns the error.
#define KOLIBRI_ASSIGN_OR_RETURN(lhs, expr)                                   \
  auto KOLIBRI_CONCAT_(kolibri_result_, __LINE__) = (expr);                   \
  if (!KOLIBRI_CONCAT_(kolibri_result_, __LINE__).ok())                        \
    return KOLIBRI_CONCAT_(kolibri_result_, __LINE__).status();               \
  lhs = std::move(KOLIBRI_CONCAT_(kolibri_result_, __LINE__)).value()

// Aborts with file:line and the condition when an invariant does not hold.
#define KOLIBRI_CHECK(cond)                                                         \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "kolibri: check failed at %s:%d: %s\n", __FILE__, __LINE__, \
                   #cond);                                                          \
      std::abort();                                                                 \
    }                                                                               \
  } while (false)
