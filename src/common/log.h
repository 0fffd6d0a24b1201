// Structured logging: one line per event, through spdlog. Every request line carries the
// request id that also goes to the client in x-amz-request-id.
#pragma once

#include <spdlog/spdlog.h>

namespace cairn::log {

// Configures the default logger: level ("debug", "info", "warn", "error") and JSON or text.
void Init(std::string_view level, bool json);

}  // namespace cairn::log

#define LOG_DEBUG(...) SPDLOG_DEBUG(__VA_ARGS__)
#define LOG_INFO(...) SPDLOG_INFO(__VA_ARGS__)
#define LOG_WARN(...) SPDLOG_WARN(__VA_ARGS__)
#define LOG_ERROR(...) SPDLOG_ERROR(__VA_ARGS__)
