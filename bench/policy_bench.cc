// Policy::Evaluate per request: a 20-statement identity policy (every statement names the
// request's action, so each checks its resources; every fourth has conditions) for a request
// the last statement allows, one no statement's resource covers, one no statement's action
// names, and one through a ${aws:username} resource.
#include <string>

#include <benchmark/benchmark.h>

#include "policy/policy.h"

namespace {

using cairn::policy::ConditionValues;
using cairn::policy::Decision;
using cairn::policy::Kind;
using cairn::policy::Policy;
using cairn::policy::Request;

std::string TwentyStatements() {
  std::string doc = R"({"Version": "2012-10-17", "Statement": [)";
  for (int i = 0; i < 20; ++i) {
    const std::string bucket = "arn:aws:s3:::bucket-" + std::to_string(i);
    doc += i > 0 ? "," : "";
    doc += R"({"Effect": ")" + std::string(i % 7 == 6 ? "Deny" : "Allow") +
           R"(", "Action": ["s3:GetObject", "s3:PutObject", "s3:List*"], "Resource": [")" + bucket +
           R"(/photos/*", ")" + bucket + R"(", "arn:aws:s3:::home/${aws:username}/*"])";
    if (i % 4 == 0) {
      doc += R"(, "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"},
                 "Bool": {"aws:SecureTransport": "true"}})";
    }
    doc += "}";
  }
  return doc + "]}";
}

void Run(benchmark::State& state, std::string_view action, std::string_view resource,
         Decision expected) {
  const auto policy = Policy::Parse(TwentyStatements(), Kind::kIdentity);
  ConditionValues values;
  values.Set("aws:SourceIp", "10.1.2.3");
  values.Set("aws:SecureTransport", "true");
  values.Set("aws:username", "alice");
  const Request request{
      .action = action, .resource = resource, .principals = {}, .conditions = &values};
  if (!policy.ok() || policy->Evaluate(request) != expected) {
    state.SkipWithError("unexpected decision");
    return;
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(policy->Evaluate(request));
  }
}

void BM_EvaluateAllowLast(benchmark::State& state) {
  Run(state, "s3:GetObject", "arn:aws:s3:::bucket-19/photos/2026/x.jpg", Decision::kAllow);
}

void BM_EvaluateNoResourceMatches(benchmark::State& state) {
  Run(state, "s3:GetObject", "arn:aws:s3:::other/photos/2026/x.jpg", Decision::kNone);
}

void BM_EvaluateNoActionMatches(benchmark::State& state) {
  Run(state, "s3:DeleteObject", "arn:aws:s3:::bucket-3/photos/x", Decision::kNone);
}

void BM_EvaluateVariable(benchmark::State& state) {
  Run(state, "s3:GetObject", "arn:aws:s3:::home/alice/notes.txt", Decision::kDeny);
}

BENCHMARK(BM_EvaluateAllowLast);
BENCHMARK(BM_EvaluateNoResourceMatches);
BENCHMARK(BM_EvaluateNoActionMatches);
BENCHMARK(BM_EvaluateVariable);

}  // namespace

BENCHMARK_MAIN();
