# SPDX-License-Identifier: Apache-2.0
#
# Third-party dependencies, each found the way its Debian package allows, with a message that
# names the package to install when it is missing (`make deps` installs them all).

find_package(PkgConfig)
if(NOT PKG_CONFIG_FOUND)
    message(FATAL_ERROR "pkg-config not found: apt-get install pkg-config (or run: make deps)")
endif()

function(bk_require_pc target module debian_pkg)
    pkg_check_modules(${target} QUIET IMPORTED_TARGET GLOBAL ${module})
    if(NOT ${target}_FOUND)
        message(FATAL_ERROR "${module} not found: apt-get install ${debian_pkg} (or run: make deps)")
    endif()
endfunction()

bk_require_pc(URING liburing liburing-dev)
bk_require_pc(XXHASH libxxhash libxxhash-dev)
bk_require_pc(LZ4 liblz4 liblz4-dev)
bk_require_pc(PROTOBUFC libprotobuf-c libprotobuf-c-dev)
bk_require_pc(OPENSSL openssl libssl-dev)
bk_require_pc(LIBPQ libpq libpq-dev) # basket-bench (bench/) and the tests
if(BASKET_TESTS)
    bk_require_pc(CMOCKA cmocka libcmocka-dev)
endif()

# libpg-query-dev ships no pkg-config file.
find_path(PG_QUERY_INCLUDE_DIR pg_query.h)
find_library(PG_QUERY_LIBRARY pg_query)
if(NOT PG_QUERY_INCLUDE_DIR OR NOT PG_QUERY_LIBRARY)
    message(FATAL_ERROR "libpg_query not found: apt-get install libpg-query-dev (or run: make deps)")
endif()
add_library(pg_query_lib INTERFACE)
target_include_directories(pg_query_lib SYSTEM INTERFACE ${PG_QUERY_INCLUDE_DIR})
target_link_libraries(pg_query_lib INTERFACE ${PG_QUERY_LIBRARY} PkgConfig::PROTOBUFC)

find_package(Threads REQUIRED)
