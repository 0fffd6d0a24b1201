// The allocator's idle memory. The server binary links tcmalloc (src/server/CMakeLists.txt),
// which keeps the pages that freed buffers leave in its page heap until told to return them:
// after a burst of large PUTs that is a hundred MiB or more of resident memory nothing uses.
// Found at run time (dlsym), so the libraries and the sanitizer builds, which have glibc's or
// the sanitizer's allocator, need no tcmalloc.
#pragma once

#include <cstddef>

namespace cairn {

// Bytes the allocator holds free and could return (tcmalloc's page heap); 0 when unknown.
std::size_t AllocatorIdleBytes();

// Returns the allocator's free pages to the system (tcmalloc: ReleaseFreeMemory; glibc:
// malloc_trim). Costs page faults when the memory is needed again, so call it now and then
// (the server does at each metrics sample when tcmalloc has 32 MiB or more idle), not per
// request.
void ReleaseIdleMemory();

}  // namespace cairn
