# SPDX-License-Identifier: Apache-2.0
#
# bk_module(<name> SOURCES ... DEPS ... [PRIVATE_LIBS ...] [PUBLIC_FILES ...])
#
# Creates the static library bk_<name>. Its public header <name>/<name>.h is exposed through a
# per-module include tree ${CMAKE_BINARY_DIR}/inc/<name>/<name>/<name>.h (a symlink), attached
# as a PUBLIC include directory. A module therefore sees the public header of a module only if
# it links that module: the include graph cannot go against the link graph, which mirrors
# DESIGN.md's layering. Finer rules (protocol must not include storage.h directly, private
# *_int.h headers stay inside their directory) are checked by tests/lint/check_layering.sh.

function(bk_module name)
    cmake_parse_arguments(M "" "" "SOURCES;DEPS;PRIVATE_LIBS;PUBLIC_FILES" ${ARGN})
    set(inc_root ${CMAKE_BINARY_DIR}/inc/${name})
    file(MAKE_DIRECTORY ${inc_root}/${name})
    foreach(f ${name}.h ${M_PUBLIC_FILES})
        file(CREATE_LINK ${CMAKE_CURRENT_SOURCE_DIR}/${f} ${inc_root}/${name}/${f} SYMBOLIC)
    endforeach()
    add_library(bk_${name} STATIC ${M_SOURCES})
    target_include_directories(bk_${name} PUBLIC ${inc_root}
                               PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
    target_link_libraries(bk_${name} PUBLIC ${M_DEPS} PRIVATE bk_warnings ${M_PRIVATE_LIBS})
endfunction()
