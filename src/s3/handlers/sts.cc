// The STS API on the S3 port, as MinIO serves it: AssumeRole (signed by a user or the root
// user, service "sts") and AssumeRoleWithWebIdentity (unsigned: the OpenID Connect token is
// the credential). Errors raised here are answered in STS's <ErrorResponse>; those of the
// middleware (signature, service) too, through SendError.
#include "s3/sts.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <variant>

#include "common/checksum.h"
#include "common/log.h"
#include "s3/handlers/handlers.h"
#include "s3/openid_provider.h"
#include "s3/upload_body.h"

namespace cairn::s3 {
namespace {

using sts::StsError;

Task<Status> SendStsError(S3Request& req, const StsError& error) {
  req.error_code = error.code;
  req.error_message = error.message;
  std::string body =
      RenderStsError(error.code, error.message, req.ctx.request_id, error.http_status);
  http::Headers headers = OneHeader("content-type", "application/xml");
  co_return co_await req.ex.Respond(error.http_status, std::move(headers), body);
}

Task<Status> SendStsIssued(S3Request& req, std::string_view action, const sts::Issued& issued) {
  std::string body = sts::RenderResponse(action, issued, req.ctx.request_id);
  co_return co_await SendXml(req, std::move(body));
}

StsError StsAccessDenied(std::string message) {
  return StsError{403, "AccessDenied", std::move(message)};
}

// What an action answers: credentials, an STS error, or (status not ok) an error for the
// middleware to render. (Built here and sent by StsAction from named locals: GCC 12 must not
// see temporaries passed to a co_await'ed call.)
struct StsAnswer {
  Status status;
  std::optional<StsError> error;
  sts::Issued issued;
};

StsAnswer StsFail(StsError error) {
  StsAnswer a;
  a.error = std::move(error);
  return a;
}

StsAnswer StsFail(Status status) {
  StsAnswer a;
  a.status = std::move(status);
  return a;
}

// The form's parameters, checked as every action checks them: duration and session policy.
struct StsCommon {
  std::chrono::seconds duration{};
  bool duration_given = false;
  std::string session_policy;
};

std::variant<StsCommon, StsError> ReadStsCommon(const QueryParams& form) {
  StsCommon c;
  auto duration = sts::ParseDuration(form, sts::kDefaultDuration);
  if (auto* e = std::get_if<StsError>(&duration)) {
    return *e;
  }
  c.duration = std::get<std::chrono::seconds>(duration);
  c.duration_given = form.Has("DurationSeconds");
  auto policy = sts::SessionPolicy(form);
  if (auto* e = std::get_if<StsError>(&policy)) {
    return *e;
  }
  c.session_policy = std::move(std::get<std::string>(policy));
  return c;
}

// AssumeRole: credentials for the signing user (or the root user) with its policies,
// narrowed by the session policy. As MinIO: temporary credentials and service accounts
// cannot make more, RoleArn and RoleSessionName are accepted and not used.
Task<StsAnswer> AssumeRole(S3Request& req, const QueryParams& form) {
  if (req.auth.anonymous || req.auth.version != 4) {
    co_return StsFail(StsAccessDenied("AssumeRole must be signed with AWS Signature Version 4."));
  }
  if (req.identity == nullptr || req.identity->kind == iam::IdentityKind::kTemporary ||
      req.identity->kind == iam::IdentityKind::kServiceAccount) {
    co_return StsFail(
        StsAccessDenied("Temporary credentials and service accounts cannot assume a role."));
  }
  if (req.opts.iam == nullptr) {
    co_return StsFail(StsError{501, "NotImplemented", "This server has no identity store."});
  }
  auto common = ReadStsCommon(form);
  if (auto* e = std::get_if<StsError>(&common)) {
    co_return StsFail(*e);
  }
  StsCommon& c = std::get<StsCommon>(common);
  iam::TemporaryRequest temp;
  temp.parent_user = req.auth.access_key;
  temp.duration = c.duration;
  temp.session_policy = c.session_policy;
  Result<iam::Credentials> creds = co_await req.opts.iam->AddTemporary(req.ctx, temp);
  if (!creds.ok()) {
    if (creds.status().code() == Errc::kMalformedPolicy) {
      co_return StsFail(StsError{400, "MalformedPolicyDocument", creds.status().message()});
    }
    if (creds.status().code() == Errc::kIamNoSuchUser) {
      co_return StsFail(StsAccessDenied("The user does not exist."));
    }
    co_return StsFail(creds.status());
  }
  const std::string session(form.Get("RoleSessionName").value_or("cairn"));
  sts::Issued issued;
  issued.access_key = creds->access_key;
  issued.secret_key = creds->secret_key;
  issued.session_token = creds->session_token;
  issued.expires_ns = creds->expires_ns;
  issued.assumed_role_arn = "arn:aws:sts:::assumed-role/" + req.auth.access_key + "/" + session;
  issued.assumed_role_id = creds->access_key + ":" + session;
  StsAnswer a;
  a.issued = std::move(issued);
  co_return a;
}

// AssumeRoleWithWebIdentity: the token of the configured OpenID Connect provider is the
// credential; its policy claim names the policies the credentials get.
Task<StsAnswer> AssumeRoleWithWebIdentity(S3Request& req, const QueryParams& form) {
  OpenIdProvider* provider = req.opts.openid;
  if (provider == nullptr || req.opts.iam == nullptr) {
    co_return StsFail(
        StsError{400, "InvalidParameterValue",
                 "No OpenID Connect provider is configured (MINIO_IDENTITY_OPENID_*)."});
  }
  const std::string token(form.Get("WebIdentityToken").value_or(""));
  if (token.empty()) {
    co_return StsFail(sts::MissingParameter("The request is missing WebIdentityToken."));
  }
  auto common = ReadStsCommon(form);
  if (auto* e = std::get_if<StsError>(&common)) {
    co_return StsFail(*e);
  }
  StsCommon& c = std::get<StsCommon>(common);
  Result<auth::jwt::Claims> claims = co_await provider->Verify(token);
  if (!claims.ok()) {
    const Errc code = claims.status().code();
    StsError e;
    if (code == Errc::kExpiredToken) {
      e = StsError{400, "ExpiredTokenException", "The web identity token has expired."};
    } else if (code == Errc::kInvalidArgument) {
      e = StsError{400, "InvalidIdentityToken", claims.status().message()};
    } else {
      LOG_WARN("sts: the OpenID provider: {}", claims.status().ToString());
      e = StsError{400, "IDPCommunicationError",
                   "The OpenID Connect provider could not be reached or answered badly."};
    }
    co_return StsFail(e);
  }
  std::vector<std::string> named =
      auth::jwt::ClaimStrings(claims->json, provider->options().claim_name);
  std::vector<std::string> policies;
  for (std::string& name : named) {
    if (req.opts.iam->GetPolicy(name).ok()) {
      policies.push_back(std::move(name));
    }
  }
  if (policies.empty()) {
    co_return StsFail(StsAccessDenied("The token's claim \"" + provider->options().claim_name +
                                      "\" names no policy of this deployment."));
  }
  // As MinIO: without DurationSeconds the credentials expire with the token.
  std::chrono::seconds duration = c.duration;
  if (!c.duration_given) {
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
        std::chrono::system_clock::now().time_since_epoch());
    duration = std::clamp(std::chrono::seconds(claims->exp) - now, std::chrono::seconds(1),
                          sts::kMaxDuration);
  }
  iam::TemporaryRequest temp;
  temp.parent_user = "openid:" + claims->sub;
  temp.duration = duration;
  temp.session_policy = c.session_policy;
  temp.claim_policies = std::move(policies);
  Result<iam::Credentials> creds = co_await req.opts.iam->AddTemporary(req.ctx, temp);
  if (!creds.ok()) {
    if (creds.status().code() == Errc::kMalformedPolicy) {
      co_return StsFail(StsError{400, "MalformedPolicyDocument", creds.status().message()});
    }
    if (creds.status().code() == Errc::kIamNoSuchPolicy) {
      co_return StsFail(StsAccessDenied("The token names no existing policy."));
    }
    co_return StsFail(creds.status());
  }
  const std::string session(form.Get("RoleSessionName").value_or(claims->sub));
  sts::Issued issued;
  issued.access_key = creds->access_key;
  issued.secret_key = creds->secret_key;
  issued.session_token = creds->session_token;
  issued.expires_ns = creds->expires_ns;
  issued.subject = claims->sub;
  issued.assumed_role_arn = "arn:aws:sts:::assumed-role/openid/" + session;
  issued.assumed_role_id = creds->access_key + ":" + session;
  StsAnswer a;
  a.issued = std::move(issued);
  co_return a;
}

}  // namespace

Task<Status> ReadStsForm(S3Request& req) {
  // Before authentication req.auth is empty: the body is read as sent (no aws-chunked
  // decoding, no signed hash to check yet; the middleware checks it after).
  Result<std::string> body = co_await ReadRequestXml(req, sts::kMaxFormBytes);
  if (!body.ok()) {
    if (body.status().code() == Errc::kMalformedXml) {
      co_return Status(Errc::kInvalidArgumentS3, "The STS request body is larger than 64 KiB.");
    }
    co_return body.status();
  }
  req.form_body = std::move(*body);
  co_return Status::Ok();
}

Task<Status> StsAction(S3Request& req) {
  auto parsed = sts::ParseForm(req.form_body);
  if (auto* e = std::get_if<StsError>(&parsed)) {
    co_return co_await SendStsError(req, *e);
  }
  const QueryParams& form = std::get<QueryParams>(parsed);
  const std::string action(form.Get("Action").value_or(""));
  if (!action.empty()) {
    req.api_name = action;
  }
  if (auto e = sts::CheckVersion(form)) {
    co_return co_await SendStsError(req, *e);
  }
  StsAnswer answer;
  if (action == "AssumeRole") {
    answer = co_await AssumeRole(req, form);
  } else if (action == "AssumeRoleWithWebIdentity") {
    answer = co_await AssumeRoleWithWebIdentity(req, form);
  } else {
    answer = StsFail(StsError{
        400, "InvalidAction",
        "Could not find operation " + action + " for version " + std::string(sts::kApiVersion)});
  }
  if (!answer.status.ok()) {
    co_return answer.status;
  }
  if (answer.error) {
    co_return co_await SendStsError(req, *answer.error);
  }
  co_return co_await SendStsIssued(req, action, answer.issued);
}

}  // namespace cairn::s3
