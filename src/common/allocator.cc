#include "common/allocator.h"

#include <dlfcn.h>
#include <malloc.h>

namespace cairn {
namespace {

// gperftools' C API (gperftools/malloc_extension_c.h), when the process has it.
using GetNumericPropertyFn = int (*)(const char*, std::size_t*);
using ReleaseFreeMemoryFn = void (*)();

struct Tcmalloc {
  GetNumericPropertyFn get_property = nullptr;
  ReleaseFreeMemoryFn release = nullptr;
};

const Tcmalloc& Functions() {
  static const Tcmalloc fns = [] {
    Tcmalloc t;
    t.get_property = reinterpret_cast<GetNumericPropertyFn>(
        dlsym(RTLD_DEFAULT, "MallocExtension_GetNumericProperty"));
    t.release = reinterpret_cast<ReleaseFreeMemoryFn>(
        dlsym(RTLD_DEFAULT, "MallocExtension_ReleaseFreeMemory"));
    return t;
  }();
  return fns;
}

}  // namespace

std::size_t AllocatorIdleBytes() {
  std::size_t free = 0;
  if (Functions().get_property &&
      Functions().get_property("tcmalloc.pageheap_free_bytes", &free) != 0) {
    return free;
  }
  return 0;
}

void ReleaseIdleMemory() {
  if (Functions().release) {
    Functions().release();
    return;
  }
  malloc_trim(0);
}

}  // namespace cairn
