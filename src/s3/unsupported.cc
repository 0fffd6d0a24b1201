#include "s3/unsupported.h"

#include "s3/parameters.h"

namespace cairn::s3 {

Status RefuseUnsupportedFeatures(Op op, const http::Request& request, const QueryParams& query) {
  return RefuseByTable(op, request, query);
}

}  // namespace cairn::s3
