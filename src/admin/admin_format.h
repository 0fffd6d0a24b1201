// What `cairn admin` prints, as pure functions over the admin API's JSON (admin_json.h), so
// that the output is tested without a server: the heal progress and summary lines, the info
// table, the sequence table; and the heal target and query the command sends.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace cairn::admin {

// "heal <id> running: 120 scanned, 3 healed, 0 failed, 1.5 MiB healed, 40.0 obj/s, 12 s left"
// ("? left" when the API cannot estimate it).
std::string ProgressLine(const nlohmann::json& seq);
// "heal <id> done: 120 scanned, 3 healed, 0 failed, 1 dangling, 1.5 MiB healed in 3.0 s"
// (the state in place of "done"; a failed sequence's error appended as ": <error>").
std::string SummaryLine(const nlohmann::json& seq);
// 0 when the sequence is done with 0 failed objects, else 1.
int HealExitCode(const nlohmann::json& seq);

// One row per drive (endpoint, pool, set, index, state, used/total), then the running
// sequences, each as a ProgressLine.
std::string InfoText(const nlohmann::json& info);
// One ProgressLine (running) or SummaryLine (ended) per sequence; "no heal sequences" when
// there is none.
std::string SequencesText(const nlohmann::json& sequences);

// The KMS (kms/status, kms/key/list, kms/key/status answers): "KMS: builtin" and the default
// key; one row per key (name, state, created; the default key marked); a key's state and its
// test's result. KmsKeyStatusExitCode: 0 when the test passed, else 1.
std::string KmsStatusText(const nlohmann::json& status);
std::string KmsKeysText(const nlohmann::json& keys);
std::string KmsKeyStatusText(const nlohmann::json& status);
int KmsKeyStatusExitCode(const nlohmann::json& status);

// "BUCKET[/PREFIX]" -> the heal/start query ("bucket=B&prefix=P&deep=true..."), encoded.
std::string HealStartQuery(std::string_view target, bool deep, bool remove, bool dry_run);

// 1536 -> "1.5 KiB"; bytes below 1 KiB as "512 B".
std::string HumanBytes(double bytes);

}  // namespace cairn::admin
