# Embeds examples/templates/*.yaml into a C file: the templates `cairn init`
# imports, available whether or not cairn is run from a source tree.
# Run as: cmake -DTEMPLATE_DIR=... -DOUT=... -P embed_templates.cmake
file(GLOB files RELATIVE "${TEMPLATE_DIR}" "${TEMPLATE_DIR}/*.yaml")
list(SORT files)
set(body "")
set(table "")
set(i 0)
foreach(f IN LISTS files)
  file(READ "${TEMPLATE_DIR}/${f}" hex HEX)
  file(SIZE "${TEMPLATE_DIR}/${f}" size)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," hex "${hex}")
  string(APPEND body "static const unsigned char template_${i}[] = {${hex} 0};\n")
  string(APPEND table "    {\"${f}\", (const char *)template_${i}, ${size}},\n")
  math(EXPR i "${i} + 1")
endforeach()
if(i EQUAL 0)
  message(FATAL_ERROR "no templates found in ${TEMPLATE_DIR}")
endif()
file(WRITE "${OUT}.tmp" "/* Generated from examples/templates by embed_templates.cmake; do not edit. */
#include <stddef.h>

#include \"cairn/template.h\"

${body}
static const struct {
    const char *name;
    const char *text;
    size_t len;
} bundled[] = {
${table}};

size_t cairn_bundled_template_count(void)
{
    return sizeof bundled / sizeof bundled[0];
}

const char *cairn_bundled_template_name(size_t i)
{
    return i < cairn_bundled_template_count() ? bundled[i].name : NULL;
}

const char *cairn_bundled_template_text(size_t i, size_t *len)
{
    if (i >= cairn_bundled_template_count())
        return NULL;
    if (len)
        *len = bundled[i].len;
    return bundled[i].text;
}
")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
