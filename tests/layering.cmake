# The layering test: data flows one way, so a file may include the headers of its own
# layer and of the layers before it, never of one after it. The order (written down once
# more in the README's Layout section):
#   core random distributions stats population exact simulation analytics credibility claims
#   experience contracts outputs top sweep
# where "top" is include/apmsim/*.hpp (the scenario and the run driver) and sweep the
# sweep driver above them. The umbrella header apmsim.hpp includes everything and is
# not checked.
# A file's layer is its folder under include/apmsim/ or src/ (src/*.cpp: top). The CLI,
# the Python bindings, tests and examples sit above every layer and are not checked.
#   cmake -DSOURCE_DIR=<repository> -P tests/layering.cmake
set(APMSIM_LAYERS core random distributions stats population exact simulation analytics credibility claims
                  experience contracts outputs top sweep)

# The layer of `path` relative to include/apmsim or src (a folder, or top).
function(layer_of relative out)
  string(FIND "${relative}" "/" slash)
  if(slash EQUAL -1)
    set(${out} top PARENT_SCOPE)
  else()
    string(SUBSTRING "${relative}" 0 ${slash} folder)
    set(${out} ${folder} PARENT_SCOPE)
  endif()
endfunction()

# Appends to `out` one line per include of a later layer in the files under `root`
# (`root`/include/apmsim and `root`/src, the CLI excluded).
function(layer_violations root out)
  set(found "")
  file(GLOB_RECURSE files RELATIVE ${root} ${root}/include/apmsim/*.hpp ${root}/src/*.cpp ${root}/src/*.hpp)
  foreach(file IN LISTS files)
    if(file MATCHES "^src/cli/" OR file STREQUAL "include/apmsim/apmsim.hpp")
      continue()
    endif()
    string(REGEX REPLACE "^(include/apmsim|src)/" "" relative "${file}")
    layer_of("${relative}" own)
    list(FIND APMSIM_LAYERS ${own} own_rank)
    if(own_rank EQUAL -1)
      list(APPEND found "${file}: folder \"${own}\" is not in the layer order (tests/layering.cmake)")
      continue()
    endif()
    file(STRINGS ${root}/${file} includes REGEX "^[ \t]*#[ \t]*include[ \t]*\"apmsim/")
    foreach(line IN LISTS includes)
      string(REGEX REPLACE ".*\"apmsim/([^\"]+)\".*" "\\1" target "${line}")
      layer_of("${target}" theirs)
      list(FIND APMSIM_LAYERS ${theirs} their_rank)
      if(their_rank GREATER own_rank)
        list(APPEND found "${file} (${own}) includes apmsim/${target} (${theirs}, a later layer)")
      endif()
    endforeach()
  endforeach()
  set(${out} "${found}" PARENT_SCOPE)
endfunction()

# The check finds a planted violation (so a silent pass means something).
set(planted ${CMAKE_CURRENT_BINARY_DIR}/layering_self_test)
file(REMOVE_RECURSE ${planted})
file(WRITE ${planted}/include/apmsim/simulation/bad.hpp "#include \"apmsim/contracts/ledger.hpp\"\n")
file(WRITE ${planted}/include/apmsim/contracts/ledger.hpp "#include \"apmsim/core/errors.hpp\"\n")
layer_violations(${planted} planted_found)
file(REMOVE_RECURSE ${planted})
list(LENGTH planted_found planted_count)
if(NOT planted_count EQUAL 1)
  message(FATAL_ERROR "layering check: expected to find the one planted violation, found ${planted_count}: ${planted_found}")
endif()

layer_violations(${SOURCE_DIR} violations)
if(violations)
  list(JOIN violations "\n  " text)
  message(FATAL_ERROR "headers include a later layer:\n  ${text}")
endif()
message(STATUS "layering: every include goes to the same or an earlier layer")
