# Installs the top-level files (the demo and the config, not the programs)
# of the build tree BUILD into DEST and checks that the installed demo has
# the JavaScript client as a file of its own: in the source tree
# web/lib/wscenter.js is a link to clients/js/wscenter.js.
file(REMOVE_RECURSE "${DEST}")
execute_process(COMMAND "${CMAKE_COMMAND}" "-DCMAKE_INSTALL_PREFIX=${DEST}" -DCMAKE_INSTALL_LOCAL_ONLY=1
                        -P "${BUILD}/cmake_install.cmake"
                RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "install of the demo failed: ${rc}")
endif()
set(client "${DEST}/share/wscenter/web/lib/wscenter.js")
if(IS_SYMLINK "${client}" OR NOT EXISTS "${client}")
  message(FATAL_ERROR "${client} is missing or a link")
endif()
file(READ "${client}" installed)
file(READ "${SOURCE}/clients/js/wscenter.js" source)
if(NOT installed STREQUAL source)
  message(FATAL_ERROR "${client} differs from clients/js/wscenter.js")
endif()
foreach(page index.html ws.js)
  if(NOT EXISTS "${DEST}/share/wscenter/web/${page}")
    message(FATAL_ERROR "the installed demo has no ${page}")
  endif()
endforeach()
