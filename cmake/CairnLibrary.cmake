# cairn_add_library(<name> SOURCES <file>... [DEPS <target>...] [PRIVATE_DEPS <target>...])
#
# One static library per src/ module (STYLE.md), with the flags every module shares. DEPS are
# what the module's public headers include (PUBLIC: its users need them too); PRIVATE_DEPS are
# what only its .cc files use. Which module may depend on which is scripts/check-layering.py's
# LAYERS (docs/architecture.md).
function(cairn_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "cairn_add_library(${name}): unknown arguments ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  add_library(${name} STATIC ${ARG_SOURCES})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  # GCC 12 reports a false mismatched-new-delete on Asio coroutine frames (GCC PR 109224).
  target_compile_options(${name} PRIVATE -Wno-mismatched-new-delete)
endfunction()
