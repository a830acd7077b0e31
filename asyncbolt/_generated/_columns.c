/* Generated from spec/packstream.yaml, spec/bolt.yaml by `python -m codegen` (make generate).
 * Do not edit: change the spec and regenerate. */
/*
 * asyncbolt._generated._columns: the optional C column builder of columnar results.
 *
 * It reads RECORD payloads (PackStream bytes) straight into growable column buffers, with no
 * Python object per value (asyncbolt/codec/columns.py holds the pure-Python twin, fed with
 * decoded values, and the assembly into pyarrow arrays shared by both):
 *
 *   Builder(profile, ncols, max_depth, max_values)   one per result (or batch)
 *   builder.add(payload, pos)     appends the fields list at pos (a RECORD's) as one row
 *   builder.rows                  rows appended
 *   builder.finish() -> [column description, ...]   hands the buffers over and starts afresh
 *
 * A column description is a tuple (see columns.py, ``assemble``):
 *   ("null", length)
 *   (kind, length, nulls, validity, data)                       bool, int, float
 *   (kind, length, nulls, validity, offsets, chars, wide)       string, bytes, uuid
 *   ("list", length, nulls, validity, offsets, wide, child)
 *   ("map" | structure name, length, nulls, validity, [names], [children])
 *   ("union", length, type_ids, offsets, [children])
 * Buffers are bytearrays in Arrow's layout (validity: None when no value is null; bitmaps
 * LSB first; offsets int32, int64 when ``wide``).
 *
 * Every read is bounds-checked; malformed bytes raise ProtocolError(message, offset) and leave
 * the builder unusable (the connection ends with the error; the caller may ask the codec for
 * its more precise diagnosis of the same bytes).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define MAX_SIZE 2147483647LL

/* ---- markers ------------------------------------------------------------------------------ */

enum {
    K_RESERVED = 0,
    K_TINY_INT,
    K_TINY_STRING,
    K_TINY_LIST,
    K_TINY_MAP,
    K_TINY_STRUCT,
    K_NULL,
    K_FLOAT_64,
    K_FALSE,
    K_TRUE,
    K_INT_8,
    K_INT_16,
    K_INT_32,
    K_INT_64,
    K_BYTES_8,
    K_BYTES_16,
    K_BYTES_32,
    K_STRING_8,
    K_STRING_16,
    K_STRING_32,
    K_LIST_8,
    K_LIST_16,
    K_LIST_32,
    K_MAP_8,
    K_MAP_16,
    K_MAP_32,
    K_TINY_INT_NEGATIVE,
    K_UUID,
};

static const unsigned char KIND[256] = {
    K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT,
    K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT,
    K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT,
    K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT,
    K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT,
    K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT,
    K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT,
    K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT,
    K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT,
    K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT,
    K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT,
    K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT,
    K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT,
    K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT,
    K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT,
    K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT, K_TINY_INT,
    K_TINY_STRING, K_TINY_STRING, K_TINY_STRING, K_TINY_STRING, K_TINY_STRING, K_TINY_STRING, K_TINY_STRING, K_TINY_STRING,
    K_TINY_STRING, K_TINY_STRING, K_TINY_STRING, K_TINY_STRING, K_TINY_STRING, K_TINY_STRING, K_TINY_STRING, K_TINY_STRING,
    K_TINY_LIST, K_TINY_LIST, K_TINY_LIST, K_TINY_LIST, K_TINY_LIST, K_TINY_LIST, K_TINY_LIST, K_TINY_LIST,
    K_TINY_LIST, K_TINY_LIST, K_TINY_LIST, K_TINY_LIST, K_TINY_LIST, K_TINY_LIST, K_TINY_LIST, K_TINY_LIST,
    K_TINY_MAP, K_TINY_MAP, K_TINY_MAP, K_TINY_MAP, K_TINY_MAP, K_TINY_MAP, K_TINY_MAP, K_TINY_MAP,
    K_TINY_MAP, K_TINY_MAP, K_TINY_MAP, K_TINY_MAP, K_TINY_MAP, K_TINY_MAP, K_TINY_MAP, K_TINY_MAP,
    K_TINY_STRUCT, K_TINY_STRUCT, K_TINY_STRUCT, K_TINY_STRUCT, K_TINY_STRUCT, K_TINY_STRUCT, K_TINY_STRUCT, K_TINY_STRUCT,
    K_TINY_STRUCT, K_TINY_STRUCT, K_TINY_STRUCT, K_TINY_STRUCT, K_TINY_STRUCT, K_TINY_STRUCT, K_TINY_STRUCT, K_TINY_STRUCT,
    K_NULL, K_FLOAT_64, K_FALSE, K_TRUE, K_RESERVED, K_RESERVED, K_RESERVED, K_RESERVED,
    K_INT_8, K_INT_16, K_INT_32, K_INT_64, K_BYTES_8, K_BYTES_16, K_BYTES_32, K_RESERVED,
    K_STRING_8, K_STRING_16, K_STRING_32, K_RESERVED, K_LIST_8, K_LIST_16, K_LIST_32, K_RESERVED,
    K_MAP_8, K_MAP_16, K_MAP_32, K_RESERVED, K_RESERVED, K_RESERVED, K_RESERVED, K_RESERVED,
    K_UUID, K_RESERVED, K_RESERVED, K_RESERVED, K_RESERVED, K_RESERVED, K_RESERVED, K_RESERVED,
    K_RESERVED, K_RESERVED, K_RESERVED, K_RESERVED, K_RESERVED, K_RESERVED, K_RESERVED, K_RESERVED,
    K_TINY_INT_NEGATIVE, K_TINY_INT_NEGATIVE, K_TINY_INT_NEGATIVE, K_TINY_INT_NEGATIVE, K_TINY_INT_NEGATIVE, K_TINY_INT_NEGATIVE, K_TINY_INT_NEGATIVE, K_TINY_INT_NEGATIVE,
    K_TINY_INT_NEGATIVE, K_TINY_INT_NEGATIVE, K_TINY_INT_NEGATIVE, K_TINY_INT_NEGATIVE, K_TINY_INT_NEGATIVE, K_TINY_INT_NEGATIVE, K_TINY_INT_NEGATIVE, K_TINY_INT_NEGATIVE,
};

/* ---- value kinds -------------------------------------------------------------------------- */

enum { V_NULL = 0, V_BOOL, V_INT, V_FLOAT, V_STR, V_BYTES, V_UUID, V_LIST, V_MAP, V_STRUCT, V_UNION };
#define B(k) (1u << (k))
#define V_ANY 0xFFFFu
static const char *const KIND_NAME[] = {"null", "bool", "int", "float", "string", "bytes", "uuid",
                                        "list", "map", "?", "union"};

/* A field's (or item's) accepted kinds, from the spec's field types. */
typedef struct {
    unsigned mask;
    int tag;       /* structure tag required (-1: any) */
    unsigned item_mask;
    int item_tag;
} Check;

typedef struct {
    const char *name;
    const char *field;
    Check check;
} FieldDef;

typedef struct {
    int tag;
    const char *name;
    int nfields;
    FieldDef fields[16];
} StructDef;

static const StructDef SET_0[] = {
    {0x4E, "Node", 3, {
        {"Node", "id", {B(V_INT), -1, V_ANY, -1}},
        {"Node", "labels", {B(V_LIST), -1, B(V_STR), -1}},
        {"Node", "properties", {B(V_MAP), -1, V_ANY, -1}},
    }},
    {0x52, "Relationship", 5, {
        {"Relationship", "id", {B(V_INT), -1, V_ANY, -1}},
        {"Relationship", "start_node_id", {B(V_INT), -1, V_ANY, -1}},
        {"Relationship", "end_node_id", {B(V_INT), -1, V_ANY, -1}},
        {"Relationship", "type", {B(V_STR), -1, V_ANY, -1}},
        {"Relationship", "properties", {B(V_MAP), -1, V_ANY, -1}},
    }},
    {0x72, "UnboundRelationship", 3, {
        {"UnboundRelationship", "id", {B(V_INT), -1, V_ANY, -1}},
        {"UnboundRelationship", "type", {B(V_STR), -1, V_ANY, -1}},
        {"UnboundRelationship", "properties", {B(V_MAP), -1, V_ANY, -1}},
    }},
    {0x50, "Path", 3, {
        {"Path", "nodes", {B(V_LIST), -1, B(V_STRUCT), 78}},
        {"Path", "relationships", {B(V_LIST), -1, B(V_STRUCT), 114}},
        {"Path", "indices", {B(V_LIST), -1, B(V_INT), -1}},
    }},
    {-1, NULL, 0, {{NULL, NULL, {0, -1, 0, -1}}}},
};
static const StructDef SET_1[] = {
    {0x4E, "Node", 3, {
        {"Node", "id", {B(V_INT), -1, V_ANY, -1}},
        {"Node", "labels", {B(V_LIST), -1, B(V_STR), -1}},
        {"Node", "properties", {B(V_MAP), -1, V_ANY, -1}},
    }},
    {0x52, "Relationship", 5, {
        {"Relationship", "id", {B(V_INT), -1, V_ANY, -1}},
        {"Relationship", "start_node_id", {B(V_INT), -1, V_ANY, -1}},
        {"Relationship", "end_node_id", {B(V_INT), -1, V_ANY, -1}},
        {"Relationship", "type", {B(V_STR), -1, V_ANY, -1}},
        {"Relationship", "properties", {B(V_MAP), -1, V_ANY, -1}},
    }},
    {0x72, "UnboundRelationship", 3, {
        {"UnboundRelationship", "id", {B(V_INT), -1, V_ANY, -1}},
        {"UnboundRelationship", "type", {B(V_STR), -1, V_ANY, -1}},
        {"UnboundRelationship", "properties", {B(V_MAP), -1, V_ANY, -1}},
    }},
    {0x50, "Path", 3, {
        {"Path", "nodes", {B(V_LIST), -1, B(V_STRUCT), 78}},
        {"Path", "relationships", {B(V_LIST), -1, B(V_STRUCT), 114}},
        {"Path", "indices", {B(V_LIST), -1, B(V_INT), -1}},
    }},
    {0x44, "Date", 1, {
        {"Date", "days", {B(V_INT), -1, V_ANY, -1}},
    }},
    {0x54, "Time", 2, {
        {"Time", "nanoseconds", {B(V_INT), -1, V_ANY, -1}},
        {"Time", "tz_offset_seconds", {B(V_INT), -1, V_ANY, -1}},
    }},
    {0x74, "LocalTime", 1, {
        {"LocalTime", "nanoseconds", {B(V_INT), -1, V_ANY, -1}},
    }},
    {0x46, "LegacyDateTime", 3, {
        {"LegacyDateTime", "seconds", {B(V_INT), -1, V_ANY, -1}},
        {"LegacyDateTime", "nanoseconds", {B(V_INT), -1, V_ANY, -1}},
        {"LegacyDateTime", "tz_offset_seconds", {B(V_INT), -1, V_ANY, -1}},
    }},
    {0x66, "LegacyDateTimeZoneId", 3, {
        {"LegacyDateTimeZoneId", "seconds", {B(V_INT), -1, V_ANY, -1}},
        {"LegacyDateTimeZoneId", "nanoseconds", {B(V_INT), -1, V_ANY, -1}},
        {"LegacyDateTimeZoneId", "tz_id", {B(V_STR), -1, V_ANY, -1}},
    }},
    {0x64, "LocalDateTime", 2, {
        {"LocalDateTime", "seconds", {B(V_INT), -1, V_ANY, -1}},
        {"LocalDateTime", "nanoseconds", {B(V_INT), -1, V_ANY, -1}},
    }},
    {0x45, "Duration", 4, {
        {"Duration", "months", {B(V_INT), -1, V_ANY, -1}},
        {"Duration", "days", {B(V_INT), -1, V_ANY, -1}},
        {"Duration", "seconds", {B(V_INT), -1, V_ANY, -1}},
        {"Duration", "nanoseconds", {B(V_INT), -1, V_ANY, -1}},
    }},
    {0x58, "Point2D", 3, {
        {"Point2D", "srid", {B(V_INT), -1, V_ANY, -1}},
        {"Point2D", "x", {B(V_FLOAT), -1, V_ANY, -1}},
        {"Point2D", "y", {B(V_FLOAT), -1, V_ANY, -1}},
    }},
    {0x59, "Point3D", 4, {
        {"Point3D", "srid", {B(V_INT), -1, V_ANY, -1}},
        {"Point3D", "x", {B(V_FLOAT), -1, V_ANY, -1}},
        {"Point3D", "y", {B(V_FLOAT), -1, V_ANY, -1}},
        {"Point3D", "z", {B(V_FLOAT), -1, V_ANY, -1}},
    }},
    {-1, NULL, 0, {{NULL, NULL, {0, -1, 0, -1}}}},
};
static const StructDef SET_2[] = {
    {0x4E, "Node", 3, {
        {"Node", "id", {B(V_INT), -1, V_ANY, -1}},
        {"Node", "labels", {B(V_LIST), -1, B(V_STR), -1}},
        {"Node", "properties", {B(V_MAP), -1, V_ANY, -1}},
    }},
    {0x52, "Relationship", 5, {
        {"Relationship", "id", {B(V_INT), -1, V_ANY, -1}},
        {"Relationship", "start_node_id", {B(V_INT), -1, V_ANY, -1}},
        {"Relationship", "end_node_id", {B(V_INT), -1, V_ANY, -1}},
        {"Relationship", "type", {B(V_STR), -1, V_ANY, -1}},
        {"Relationship", "properties", {B(V_MAP), -1, V_ANY, -1}},
    }},
    {0x72, "UnboundRelationship", 3, {
        {"UnboundRelationship", "id", {B(V_INT), -1, V_ANY, -1}},
        {"UnboundRelationship", "type", {B(V_STR), -1, V_ANY, -1}},
        {"UnboundRelationship", "properties", {B(V_MAP), -1, V_ANY, -1}},
    }},
    {0x50, "Path", 3, {
        {"Path", "nodes", {B(V_LIST), -1, B(V_STRUCT), 78}},
        {"Path", "relationships", {B(V_LIST), -1, B(V_STRUCT), 114}},
        {"Path", "indices", {B(V_LIST), -1, B(V_INT), -1}},
    }},
    {0x44, "Date", 1, {
        {"Date", "days", {B(V_INT), -1, V_ANY, -1}},
    }},
    {0x54, "Time", 2, {
        {"Time", "nanoseconds", {B(V_INT), -1, V_ANY, -1}},
        {"Time", "tz_offset_seconds", {B(V_INT), -1, V_ANY, -1}},
    }},
    {0x74, "LocalTime", 1, {
        {"LocalTime", "nanoseconds", {B(V_INT), -1, V_ANY, -1}},
    }},
    {0x49, "DateTime", 3, {
        {"DateTime", "seconds", {B(V_INT), -1, V_ANY, -1}},
        {"DateTime", "nanoseconds", {B(V_INT), -1, V_ANY, -1}},
        {"DateTime", "tz_offset_seconds", {B(V_INT), -1, V_ANY, -1}},
    }},
    {0x69, "DateTimeZoneId", 3, {
        {"DateTimeZoneId", "seconds", {B(V_INT), -1, V_ANY, -1}},
        {"DateTimeZoneId", "nanoseconds", {B(V_INT), -1, V_ANY, -1}},
        {"DateTimeZoneId", "tz_id", {B(V_STR), -1, V_ANY, -1}},
    }},
    {0x64, "LocalDateTime", 2, {
        {"LocalDateTime", "seconds", {B(V_INT), -1, V_ANY, -1}},
        {"LocalDateTime", "nanoseconds", {B(V_INT), -1, V_ANY, -1}},
    }},
    {0x45, "Duration", 4, {
        {"Duration", "months", {B(V_INT), -1, V_ANY, -1}},
        {"Duration", "days", {B(V_INT), -1, V_ANY, -1}},
        {"Duration", "seconds", {B(V_INT), -1, V_ANY, -1}},
        {"Duration", "nanoseconds", {B(V_INT), -1, V_ANY, -1}},
    }},
    {0x58, "Point2D", 3, {
        {"Point2D", "srid", {B(V_INT), -1, V_ANY, -1}},
        {"Point2D", "x", {B(V_FLOAT), -1, V_ANY, -1}},
        {"Point2D", "y", {B(V_FLOAT), -1, V_ANY, -1}},
    }},
    {0x59, "Point3D", 4, {
        {"Point3D", "srid", {B(V_INT), -1, V_ANY, -1}},
        {"Point3D", "x", {B(V_FLOAT), -1, V_ANY, -1}},
        {"Point3D", "y", {B(V_FLOAT), -1, V_ANY, -1}},
        {"Point3D", "z", {B(V_FLOAT), -1, V_ANY, -1}},
    }},
    {-1, NULL, 0, {{NULL, NULL, {0, -1, 0, -1}}}},
};
static const StructDef SET_3[] = {
    {0x4E, "Node", 4, {
        {"Node", "id", {B(V_INT) | B(V_NULL), -1, V_ANY, -1}},
        {"Node", "labels", {B(V_LIST), -1, B(V_STR), -1}},
        {"Node", "properties", {B(V_MAP), -1, V_ANY, -1}},
        {"Node", "element_id", {B(V_STR), -1, V_ANY, -1}},
    }},
    {0x52, "Relationship", 8, {
        {"Relationship", "id", {B(V_INT) | B(V_NULL), -1, V_ANY, -1}},
        {"Relationship", "start_node_id", {B(V_INT) | B(V_NULL), -1, V_ANY, -1}},
        {"Relationship", "end_node_id", {B(V_INT) | B(V_NULL), -1, V_ANY, -1}},
        {"Relationship", "type", {B(V_STR), -1, V_ANY, -1}},
        {"Relationship", "properties", {B(V_MAP), -1, V_ANY, -1}},
        {"Relationship", "element_id", {B(V_STR), -1, V_ANY, -1}},
        {"Relationship", "start_node_element_id", {B(V_STR), -1, V_ANY, -1}},
        {"Relationship", "end_node_element_id", {B(V_STR), -1, V_ANY, -1}},
    }},
    {0x72, "UnboundRelationship", 4, {
        {"UnboundRelationship", "id", {B(V_INT) | B(V_NULL), -1, V_ANY, -1}},
        {"UnboundRelationship", "type", {B(V_STR), -1, V_ANY, -1}},
        {"UnboundRelationship", "properties", {B(V_MAP), -1, V_ANY, -1}},
        {"UnboundRelationship", "element_id", {B(V_STR), -1, V_ANY, -1}},
    }},
    {0x50, "Path", 3, {
        {"Path", "nodes", {B(V_LIST), -1, B(V_STRUCT), 78}},
        {"Path", "relationships", {B(V_LIST), -1, B(V_STRUCT), 114}},
        {"Path", "indices", {B(V_LIST), -1, B(V_INT), -1}},
    }},
    {0x44, "Date", 1, {
        {"Date", "days", {B(V_INT), -1, V_ANY, -1}},
    }},
    {0x54, "Time", 2, {
        {"Time", "nanoseconds", {B(V_INT), -1, V_ANY, -1}},
        {"Time", "tz_offset_seconds", {B(V_INT), -1, V_ANY, -1}},
    }},
    {0x74, "LocalTime", 1, {
        {"LocalTime", "nanoseconds", {B(V_INT), -1, V_ANY, -1}},
    }},
    {0x49, "DateTime", 3, {
        {"DateTime", "seconds", {B(V_INT), -1, V_ANY, -1}},
        {"DateTime", "nanoseconds", {B(V_INT), -1, V_ANY, -1}},
        {"DateTime", "tz_offset_seconds", {B(V_INT), -1, V_ANY, -1}},
    }},
    {0x69, "DateTimeZoneId", 3, {
        {"DateTimeZoneId", "seconds", {B(V_INT), -1, V_ANY, -1}},
        {"DateTimeZoneId", "nanoseconds", {B(V_INT), -1, V_ANY, -1}},
        {"DateTimeZoneId", "tz_id", {B(V_STR), -1, V_ANY, -1}},
    }},
    {0x64, "LocalDateTime", 2, {
        {"LocalDateTime", "seconds", {B(V_INT), -1, V_ANY, -1}},
        {"LocalDateTime", "nanoseconds", {B(V_INT), -1, V_ANY, -1}},
    }},
    {0x45, "Duration", 4, {
        {"Duration", "months", {B(V_INT), -1, V_ANY, -1}},
        {"Duration", "days", {B(V_INT), -1, V_ANY, -1}},
        {"Duration", "seconds", {B(V_INT), -1, V_ANY, -1}},
        {"Duration", "nanoseconds", {B(V_INT), -1, V_ANY, -1}},
    }},
    {0x58, "Point2D", 3, {
        {"Point2D", "srid", {B(V_INT), -1, V_ANY, -1}},
        {"Point2D", "x", {B(V_FLOAT), -1, V_ANY, -1}},
        {"Point2D", "y", {B(V_FLOAT), -1, V_ANY, -1}},
    }},
    {0x59, "Point3D", 4, {
        {"Point3D", "srid", {B(V_INT), -1, V_ANY, -1}},
        {"Point3D", "x", {B(V_FLOAT), -1, V_ANY, -1}},
        {"Point3D", "y", {B(V_FLOAT), -1, V_ANY, -1}},
        {"Point3D", "z", {B(V_FLOAT), -1, V_ANY, -1}},
    }},
    {-1, NULL, 0, {{NULL, NULL, {0, -1, 0, -1}}}},
};
static const StructDef SET_4[] = {
    {0x4E, "Node", 4, {
        {"Node", "id", {B(V_INT) | B(V_NULL), -1, V_ANY, -1}},
        {"Node", "labels", {B(V_LIST), -1, B(V_STR), -1}},
        {"Node", "properties", {B(V_MAP), -1, V_ANY, -1}},
        {"Node", "element_id", {B(V_STR), -1, V_ANY, -1}},
    }},
    {0x52, "Relationship", 8, {
        {"Relationship", "id", {B(V_INT) | B(V_NULL), -1, V_ANY, -1}},
        {"Relationship", "start_node_id", {B(V_INT) | B(V_NULL), -1, V_ANY, -1}},
        {"Relationship", "end_node_id", {B(V_INT) | B(V_NULL), -1, V_ANY, -1}},
        {"Relationship", "type", {B(V_STR), -1, V_ANY, -1}},
        {"Relationship", "properties", {B(V_MAP), -1, V_ANY, -1}},
        {"Relationship", "element_id", {B(V_STR), -1, V_ANY, -1}},
        {"Relationship", "start_node_element_id", {B(V_STR), -1, V_ANY, -1}},
        {"Relationship", "end_node_element_id", {B(V_STR), -1, V_ANY, -1}},
    }},
    {0x72, "UnboundRelationship", 4, {
        {"UnboundRelationship", "id", {B(V_INT) | B(V_NULL), -1, V_ANY, -1}},
        {"UnboundRelationship", "type", {B(V_STR), -1, V_ANY, -1}},
        {"UnboundRelationship", "properties", {B(V_MAP), -1, V_ANY, -1}},
        {"UnboundRelationship", "element_id", {B(V_STR), -1, V_ANY, -1}},
    }},
    {0x50, "Path", 3, {
        {"Path", "nodes", {B(V_LIST), -1, B(V_STRUCT), 78}},
        {"Path", "relationships", {B(V_LIST), -1, B(V_STRUCT), 114}},
        {"Path", "indices", {B(V_LIST), -1, B(V_INT), -1}},
    }},
    {0x44, "Date", 1, {
        {"Date", "days", {B(V_INT), -1, V_ANY, -1}},
    }},
    {0x54, "Time", 2, {
        {"Time", "nanoseconds", {B(V_INT), -1, V_ANY, -1}},
        {"Time", "tz_offset_seconds", {B(V_INT), -1, V_ANY, -1}},
    }},
    {0x74, "LocalTime", 1, {
        {"LocalTime", "nanoseconds", {B(V_INT), -1, V_ANY, -1}},
    }},
    {0x49, "DateTime", 3, {
        {"DateTime", "seconds", {B(V_INT), -1, V_ANY, -1}},
        {"DateTime", "nanoseconds", {B(V_INT), -1, V_ANY, -1}},
        {"DateTime", "tz_offset_seconds", {B(V_INT), -1, V_ANY, -1}},
    }},
    {0x69, "DateTimeZoneId", 3, {
        {"DateTimeZoneId", "seconds", {B(V_INT), -1, V_ANY, -1}},
        {"DateTimeZoneId", "nanoseconds", {B(V_INT), -1, V_ANY, -1}},
        {"DateTimeZoneId", "tz_id", {B(V_STR), -1, V_ANY, -1}},
    }},
    {0x64, "LocalDateTime", 2, {
        {"LocalDateTime", "seconds", {B(V_INT), -1, V_ANY, -1}},
        {"LocalDateTime", "nanoseconds", {B(V_INT), -1, V_ANY, -1}},
    }},
    {0x45, "Duration", 4, {
        {"Duration", "months", {B(V_INT), -1, V_ANY, -1}},
        {"Duration", "days", {B(V_INT), -1, V_ANY, -1}},
        {"Duration", "seconds", {B(V_INT), -1, V_ANY, -1}},
        {"Duration", "nanoseconds", {B(V_INT), -1, V_ANY, -1}},
    }},
    {0x58, "Point2D", 3, {
        {"Point2D", "srid", {B(V_INT), -1, V_ANY, -1}},
        {"Point2D", "x", {B(V_FLOAT), -1, V_ANY, -1}},
        {"Point2D", "y", {B(V_FLOAT), -1, V_ANY, -1}},
    }},
    {0x59, "Point3D", 4, {
        {"Point3D", "srid", {B(V_INT), -1, V_ANY, -1}},
        {"Point3D", "x", {B(V_FLOAT), -1, V_ANY, -1}},
        {"Point3D", "y", {B(V_FLOAT), -1, V_ANY, -1}},
        {"Point3D", "z", {B(V_FLOAT), -1, V_ANY, -1}},
    }},
    {0x56, "Vector", 2, {
        {"Vector", "type_marker", {B(V_BYTES), -1, V_ANY, -1}},
        {"Vector", "data", {B(V_BYTES), -1, V_ANY, -1}},
    }},
    {0x3F, "UnsupportedType", 4, {
        {"UnsupportedType", "name", {B(V_STR), -1, V_ANY, -1}},
        {"UnsupportedType", "minimum_protocol_major", {B(V_INT), -1, V_ANY, -1}},
        {"UnsupportedType", "minimum_protocol_minor", {B(V_INT), -1, V_ANY, -1}},
        {"UnsupportedType", "extra", {B(V_MAP), -1, V_ANY, -1}},
    }},
    {-1, NULL, 0, {{NULL, NULL, {0, -1, 0, -1}}}},
};

typedef struct {
    const char *profile;
    const StructDef *structs;
    int uuid; /* the UUID marker exists in this profile */
} ProfileDef;

static const ProfileDef PROFILES[] = {
    {"1.0", SET_0, 0},
    {"2.0", SET_1, 0},
    {"3.0", SET_1, 0},
    {"4.0", SET_1, 0},
    {"4.1", SET_1, 0},
    {"4.2", SET_1, 0},
    {"4.3", SET_1, 0},
    {"4.3+utc", SET_2, 0},
    {"4.4", SET_1, 0},
    {"4.4+utc", SET_2, 0},
    {"5.0", SET_3, 0},
    {"5.1", SET_3, 0},
    {"5.2", SET_3, 0},
    {"5.3", SET_3, 0},
    {"5.4", SET_3, 0},
    {"5.5", SET_3, 0},
    {"5.6", SET_3, 0},
    {"5.7", SET_3, 0},
    {"5.8", SET_3, 0},
    {"6.0", SET_4, 0},
    {"6.1", SET_4, 1},
    {NULL, NULL, 0},
};

static PyObject *ProtocolError;

/* Raise ProtocolError(message, offset); returns -1. */
static int
perr(Py_ssize_t offset, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    PyObject *exc;

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    if (ProtocolError == NULL) {
        PyErr_SetString(PyExc_ValueError, text);
        return -1;
    }
    exc = PyObject_CallFunction(ProtocolError, "sn", text, offset);
    if (exc != NULL) {
        PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
        Py_DECREF(exc);
    }
    return -1;
}

/* ---- buffers ------------------------------------------------------------------------------ */

/* A growable byte buffer held in a bytearray, handed over as it is by finish(). */
typedef struct {
    PyObject *ba;
    char *p;
    Py_ssize_t len, cap;
} Buf;

static int
buf_reserve(Buf *b, Py_ssize_t extra)
{
    Py_ssize_t want = b->len + extra, cap;
    if (want <= b->cap)
        return 0;
    if (extra < 0 || want < 0 || want > PY_SSIZE_T_MAX / 2) {
        PyErr_NoMemory();
        return -1;
    }
    cap = b->cap ? b->cap : 64;
    while (cap < want)
        cap *= 2;
    if (b->ba == NULL) {
        b->ba = PyByteArray_FromStringAndSize(NULL, cap);
        if (b->ba == NULL)
            return -1;
    }
    else if (PyByteArray_Resize(b->ba, cap) < 0)
        return -1;
    b->p = PyByteArray_AS_STRING(b->ba);
    b->cap = cap;
    return 0;
}

static inline int
buf_put(Buf *b, const void *src, Py_ssize_t n)
{
    if (b->len + n > b->cap && buf_reserve(b, n) < 0)
        return -1;
    memcpy(b->p + b->len, src, (size_t)n);
    b->len += n;
    return 0;
}

static inline int
buf_zero(Buf *b, Py_ssize_t n)
{
    if (b->len + n > b->cap && buf_reserve(b, n) < 0)
        return -1;
    memset(b->p + b->len, 0, (size_t)n);
    b->len += n;
    return 0;
}

/* The bytearray trimmed to its length (the caller owns it); the buffer starts afresh. */
static PyObject *
buf_take(Buf *b)
{
    PyObject *ba = b->ba;
    if (ba == NULL)
        return PyByteArray_FromStringAndSize(NULL, 0);
    if (PyByteArray_Resize(ba, b->len) < 0)
        return NULL;
    b->ba = NULL;
    b->p = NULL;
    b->len = b->cap = 0;
    return ba;
}

static void
buf_free(Buf *b)
{
    Py_CLEAR(b->ba);
    b->p = NULL;
    b->len = b->cap = 0;
}

/* Bitmaps: bit i of byte i/8, LSB first; extending them adds zero (null / false) bits. */
static int
bits_extend(Buf *b, Py_ssize_t nbits)
{
    Py_ssize_t need = (nbits + 7) / 8;
    return need > b->len ? buf_zero(b, need - b->len) : 0;
}

static inline void
bit_set(Buf *b, Py_ssize_t i)
{
    b->p[i >> 3] |= (char)(1 << (i & 7));
}

/* ---- columns ------------------------------------------------------------------------------ */

typedef struct Col Col;
struct Col {
    int kind;           /* V_* */
    int sdef;           /* V_STRUCT: index in the profile's structure table */
    Py_ssize_t length;  /* slots */
    Py_ssize_t nulls;
    Buf valid;          /* validity bitmap; no buffer until a null follows a value */
    int has_valid;
    Buf data;           /* bool bits, int64, float64; offsets (int32, or int64 when wide) */
    int wide;
    Buf chars;          /* string/bytes/uuid bytes */
    Col *child;         /* list items */
    Py_ssize_t nkids, capkids;
    Col **kids;         /* map/structure fields, union members */
    PyObject **names;   /* map keys (bytes, UTF-8) */
    Buf types, offs;    /* union type ids (int8) and offsets (int32) */
};

typedef struct {
    PyObject_HEAD
    const ProfileDef *profile;
    int ncols;
    int max_depth;
    Py_ssize_t max_values; /* -1: no limit */
    Py_ssize_t rows;
    int broken;
    Col **cols;
    PyObject *weakrefs;
} Builder;

/* One add() call. */
typedef struct {
    const unsigned char *b;
    Py_ssize_t len;
    Builder *bd;
    Py_ssize_t left; /* values (and null fills) this payload may still produce */
} Rd;

static Col *
col_new(void)
{
    Col *c = PyMem_Calloc(1, sizeof(Col));
    if (c == NULL)
        PyErr_NoMemory();
    return c;
}

static void col_free(Col *c);

static void
col_clear(Col *c)
{
    Py_ssize_t i;
    buf_free(&c->valid);
    buf_free(&c->data);
    buf_free(&c->chars);
    buf_free(&c->types);
    buf_free(&c->offs);
    if (c->child != NULL)
        col_free(c->child);
    for (i = 0; i < c->nkids; i++) {
        col_free(c->kids[i]);
        if (c->names != NULL)
            Py_XDECREF(c->names[i]);
    }
    PyMem_Free(c->kids);
    PyMem_Free(c->names);
    memset(c, 0, sizeof(Col));
}

static void
col_free(Col *c)
{
    if (c != NULL) {
        col_clear(c);
        PyMem_Free(c);
    }
}

static int
add_kid(Col *c, Col *kid, PyObject *name)
{
    if (c->nkids == c->capkids) {
        Py_ssize_t cap = c->capkids ? c->capkids * 2 : 4;
        Col **kids = PyMem_Realloc(c->kids, (size_t)cap * sizeof(Col *));
        PyObject **names;
        if (kids == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        c->kids = kids;
        names = PyMem_Realloc(c->names, (size_t)cap * sizeof(PyObject *));
        if (names == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        c->names = names;
        c->capkids = cap;
    }
    c->kids[c->nkids] = kid;
    c->names[c->nkids] = name; /* (stolen) */
    c->nkids++;
    return 0;
}

/* Offsets: int32 until a value passes 2^31-1, then all int64. */
static int
off_push(Col *c, int64_t v)
{
    if (!c->wide) {
        if (v <= INT32_MAX) {
            int32_t w = (int32_t)v;
            return buf_put(&c->data, &w, 4);
        }
        {
            Py_ssize_t n = c->data.len / 4, i;
            if (buf_reserve(&c->data, n * 4) < 0)
                return -1;
            for (i = n - 1; i >= 0; i--) {
                int64_t x = ((int32_t *)c->data.p)[i];
                memcpy(c->data.p + i * 8, &x, 8);
            }
            c->data.len = n * 8;
            c->wide = 1;
        }
    }
    return buf_put(&c->data, &v, 8);
}

static int64_t
off_last(Col *c)
{
    if (c->wide)
        return ((int64_t *)c->data.p)[c->data.len / 8 - 1];
    return ((int32_t *)c->data.p)[c->data.len / 4 - 1];
}

/* Mark slot c->length valid (the caller then counts it). */
static inline int
valid_push(Col *c)
{
    if (c->has_valid) {
        if (bits_extend(&c->valid, c->length + 1) < 0)
            return -1;
        bit_set(&c->valid, c->length);
    }
    return 0;
}

static int col_nulls(Rd *r, Col *c, Py_ssize_t n);

/* Give a column with kids[] its structure fields (names from the spec). */
static int
struct_fields(Col *c, const StructDef *sd)
{
    int i;
    for (i = 0; i < sd->nfields; i++) {
        Col *kid = col_new();
        PyObject *name;
        if (kid == NULL)
            return -1;
        name = PyBytes_FromString(sd->fields[i].field);
        if (name == NULL || add_kid(c, kid, name) < 0) {
            Py_XDECREF(name);
            col_free(kid);
            return -1;
        }
    }
    return 0;
}

/* An empty column of kind k (what a null column becomes, or a new union member). */
static int
col_init(Builder *bd, Col *c, int kind, int sdef)
{
    c->kind = kind;
    c->sdef = sdef;
    switch (kind) {
    case V_STR:
    case V_BYTES:
    case V_UUID:
        return off_push(c, 0);
    case V_LIST:
        c->child = col_new();
        if (c->child == NULL)
            return -1;
        return off_push(c, 0);
    case V_STRUCT:
        return struct_fields(c, &bd->profile->structs[sdef]);
    default:
        return 0;
    }
}

/* Append n nulls to c. */
static int
col_nulls(Rd *r, Col *c, Py_ssize_t n)
{
    Py_ssize_t i;
    if (n <= 0)
        return 0;
    switch (c->kind) {
    case V_NULL:
        break;
    case V_BOOL:
        if (bits_extend(&c->data, c->length + n) < 0)
            return -1;
        break;
    case V_INT:
    case V_FLOAT:
        if (buf_zero(&c->data, n * 8) < 0)
            return -1;
        break;
    case V_STR:
    case V_BYTES:
    case V_UUID:
    case V_LIST: {
        int64_t last = off_last(c);
        for (i = 0; i < n; i++)
            if (off_push(c, last) < 0)
                return -1;
        break;
    }
    case V_MAP:
    case V_STRUCT:
        for (i = 0; i < c->nkids; i++)
            if (col_nulls(r, c->kids[i], n) < 0)
                return -1;
        break;
    case V_UNION: {
        /* A union's nulls are null slots of its first member. */
        Col *k0 = c->kids[0];
        if (buf_zero(&c->types, n) < 0)
            return -1;
        for (i = 0; i < n; i++) {
            int32_t o = (int32_t)(k0->length + i);
            if (buf_put(&c->offs, &o, 4) < 0)
                return -1;
        }
        if (col_nulls(r, k0, n) < 0)
            return -1;
        c->length += n;
        return 0;
    }
    }
    if (c->kind != V_NULL) {
        if (!c->has_valid) {
            /* The first null: every slot before it was a value. */
            Py_ssize_t full = c->length / 8;
            if (bits_extend(&c->valid, c->length + n) < 0)
                return -1;
            memset(c->valid.p, 0xFF, (size_t)full);
            if (c->length % 8)
                c->valid.p[full] = (char)((1 << (c->length % 8)) - 1);
            c->has_valid = 1;
        }
        else if (bits_extend(&c->valid, c->length + n) < 0)
            return -1;
    }
    c->length += n;
    c->nulls += n;
    return 0;
}

/* Turn c into a dense union whose first member is what c was. */
static int
col_to_union(Col *c)
{
    Col *k0 = col_new();
    Py_ssize_t i;
    if (k0 == NULL)
        return -1;
    *k0 = *c;
    memset(c, 0, sizeof(Col));
    c->kind = V_UNION;
    if (add_kid(c, k0, NULL) < 0) {
        col_free(k0);
        return -1;
    }
    if (buf_zero(&c->types, k0->length) < 0 || buf_reserve(&c->offs, k0->length * 4) < 0)
        return -1;
    for (i = 0; i < k0->length; i++)
        ((int32_t *)c->offs.p)[i] = (int32_t)i;
    c->offs.len = k0->length * 4;
    c->length = k0->length;
    return 0;
}

/* ---- reading ------------------------------------------------------------------------------ */

static inline uint16_t rd16(const unsigned char *p) { return (uint16_t)((p[0] << 8) | p[1]); }

static inline uint32_t
rd32(const unsigned char *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static inline uint64_t rd64(const unsigned char *p) { return ((uint64_t)rd32(p) << 32) | rd32(p + 4); }

/* What a marker starts: the value's kind, its scalar, or its size and where its body begins. */
typedef struct {
    int kind;
    int tag;         /* V_STRUCT */
    int sdef;
    int64_t i;       /* V_INT, V_BOOL */
    double f;
    Py_ssize_t size; /* string/bytes bytes, list items, map entries, structure fields */
    Py_ssize_t body; /* offset of what follows the header */
} Head;

static int
truncated(Rd *r)
{
    return perr(r->len, "unexpected end of data: the value needs more than %zd bytes", r->len);
}

static int
read_size(Rd *r, Py_ssize_t pos, int width, Head *h)
{
    uint64_t n;
    if (pos + 1 + width > r->len)
        return truncated(r);
    n = width == 1 ? r->b[pos + 1] : width == 2 ? rd16(r->b + pos + 1) : rd32(r->b + pos + 1);
    if (n > (uint64_t)MAX_SIZE)
        return perr(pos, "size %llu is larger than %lld", (unsigned long long)n, MAX_SIZE);
    h->size = (Py_ssize_t)n;
    h->body = pos + 1 + width;
    return 0;
}

static int
read_head(Rd *r, Py_ssize_t pos, Head *h)
{
    unsigned char m;
    if (pos >= r->len)
        return truncated(r);
    m = r->b[pos];
    switch (KIND[m]) {
    case K_TINY_INT:
        h->kind = V_INT;
        h->i = (int8_t)m;
        h->body = pos + 1;
        return 0;
    case K_TINY_STRING:
        h->kind = V_STR;
        h->size = m - 0x80;
        h->body = pos + 1;
        return 0;
    case K_TINY_LIST:
        h->kind = V_LIST;
        h->size = m - 0x90;
        h->body = pos + 1;
        return 0;
    case K_TINY_MAP:
        h->kind = V_MAP;
        h->size = m - 0xA0;
        h->body = pos + 1;
        return 0;
    case K_TINY_STRUCT:
        h->kind = V_STRUCT;
        h->size = m - 0xB0;
        h->body = pos + 1;
        {
            const StructDef *sd;
            int k;
            if (h->body >= r->len)
                return truncated(r);
            h->tag = r->b[h->body];
            h->body++;
            for (sd = r->bd->profile->structs, k = 0; sd->name != NULL; sd++, k++)
                if (sd->tag == h->tag)
                    break;
            if (sd->name == NULL)
                return perr(pos, "structure tag 0x%02X is not a structure of Bolt %s: a columnar "
                            "result cannot hold it (read it as records)", h->tag,
                            r->bd->profile->profile);
            if (sd->nfields != h->size)
                return perr(pos, "%s structure with %zd fields; Bolt %s's has %d", sd->name,
                            h->size, r->bd->profile->profile, sd->nfields);
            h->sdef = k;
        }
        return 0;
    case K_NULL:
        h->kind = V_NULL;
        h->body = pos + 1;
        return 0;
    case K_FLOAT_64:
        if (pos + 9 > r->len)
            return truncated(r);
        {
            uint64_t u = rd64(r->b + pos + 1);
            memcpy(&h->f, &u, 8);
        }
        h->kind = V_FLOAT;
        h->body = pos + 9;
        return 0;
    case K_FALSE:
        h->kind = V_BOOL;
        h->i = 0;
        h->body = pos + 1;
        return 0;
    case K_TRUE:
        h->kind = V_BOOL;
        h->i = 1;
        h->body = pos + 1;
        return 0;
    case K_INT_8:
        if (pos + 2 > r->len)
            return truncated(r);
        h->i = (int8_t)r->b[pos + 1];
        h->kind = V_INT;
        h->body = pos + 2;
        return 0;
    case K_INT_16:
        if (pos + 3 > r->len)
            return truncated(r);
        h->i = (int16_t)rd16(r->b + pos + 1);
        h->kind = V_INT;
        h->body = pos + 3;
        return 0;
    case K_INT_32:
        if (pos + 5 > r->len)
            return truncated(r);
        h->i = (int32_t)rd32(r->b + pos + 1);
        h->kind = V_INT;
        h->body = pos + 5;
        return 0;
    case K_INT_64:
        if (pos + 9 > r->len)
            return truncated(r);
        h->i = (int64_t)rd64(r->b + pos + 1);
        h->kind = V_INT;
        h->body = pos + 9;
        return 0;
    case K_BYTES_8:
        h->kind = V_BYTES;
        if (read_size(r, pos, 1, h) < 0)
            return -1;
        return 0;
    case K_BYTES_16:
        h->kind = V_BYTES;
        if (read_size(r, pos, 2, h) < 0)
            return -1;
        return 0;
    case K_BYTES_32:
        h->kind = V_BYTES;
        if (read_size(r, pos, 4, h) < 0)
            return -1;
        return 0;
    case K_STRING_8:
        h->kind = V_STR;
        if (read_size(r, pos, 1, h) < 0)
            return -1;
        return 0;
    case K_STRING_16:
        h->kind = V_STR;
        if (read_size(r, pos, 2, h) < 0)
            return -1;
        return 0;
    case K_STRING_32:
        h->kind = V_STR;
        if (read_size(r, pos, 4, h) < 0)
            return -1;
        return 0;
    case K_LIST_8:
        h->kind = V_LIST;
        if (read_size(r, pos, 1, h) < 0)
            return -1;
        return 0;
    case K_LIST_16:
        h->kind = V_LIST;
        if (read_size(r, pos, 2, h) < 0)
            return -1;
        return 0;
    case K_LIST_32:
        h->kind = V_LIST;
        if (read_size(r, pos, 4, h) < 0)
            return -1;
        return 0;
    case K_MAP_8:
        h->kind = V_MAP;
        if (read_size(r, pos, 1, h) < 0)
            return -1;
        return 0;
    case K_MAP_16:
        h->kind = V_MAP;
        if (read_size(r, pos, 2, h) < 0)
            return -1;
        return 0;
    case K_MAP_32:
        h->kind = V_MAP;
        if (read_size(r, pos, 4, h) < 0)
            return -1;
        return 0;
    case K_TINY_INT_NEGATIVE:
        h->kind = V_INT;
        h->i = (int8_t)m;
        h->body = pos + 1;
        return 0;
    case K_UUID:
        if (!r->bd->profile->uuid)
            return perr(pos, "marker 0x%02X (UUID) does not exist in Bolt %s; it needs Bolt 6.1+",
                        m, r->bd->profile->profile);
        h->kind = V_UUID;
        h->size = 16;
        h->body = pos + 1;
        return 0;
    default:
        return perr(pos, "reserved marker byte 0x%02X", m);
    }
}

/* Python's strict UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF. */
static Py_ssize_t
utf8_bad(const unsigned char *s, Py_ssize_t n)
{
    Py_ssize_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            if (i + 1 >= n || (s[i + 1] & 0xC0) != 0x80)
                return i;
            i += 2;
        }
        else if (c >= 0xE0 && c <= 0xEF) {
            unsigned char c1;
            if (i + 2 >= n)
                return i;
            c1 = s[i + 1];
            if ((c1 & 0xC0) != 0x80 || (s[i + 2] & 0xC0) != 0x80 || (c == 0xE0 && c1 < 0xA0)
                    || (c == 0xED && c1 >= 0xA0))
                return i;
            i += 3;
        }
        else if (c >= 0xF0 && c <= 0xF4) {
            unsigned char c1;
            if (i + 3 >= n)
                return i;
            c1 = s[i + 1];
            if ((c1 & 0xC0) != 0x80 || (s[i + 2] & 0xC0) != 0x80 || (s[i + 3] & 0xC0) != 0x80
                    || (c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 >= 0x90))
                return i;
            i += 4;
        }
        else
            return i;
    }
    return -1;
}

/* ---- appending ---------------------------------------------------------------------------- */

static int append(Rd *r, Col *c, Py_ssize_t pos, Py_ssize_t *end, int depth, const Check *chk);

static int
check_kind(Rd *r, Py_ssize_t pos, const Head *h, const Check *chk)
{
    if (!(chk->mask & B(h->kind)) || (h->kind == V_STRUCT && chk->tag >= 0 && chk->tag != h->tag))
        return perr(pos, "a structure field holds a value of the wrong type (a %s)",
                    h->kind == V_STRUCT ? r->bd->profile->structs[h->sdef].name : KIND_NAME[h->kind]);
    return 0;
}

static int
budget(Rd *r, Py_ssize_t pos, Py_ssize_t n)
{
    if (r->left >= 0) {
        r->left -= n;
        if (r->left < 0)
            return perr(pos, "the message holds more than %zd values (max_decoded_values) once "
                        "laid out in columns", r->bd->max_values);
    }
    return 0;
}

static int put(Rd *r, Col *c, const Head *hp, Py_ssize_t pos, Py_ssize_t *end, int depth,
               const Check *chk);

/* Append the value at pos to c; *end: where it ends. */
static int
append(Rd *r, Col *c, Py_ssize_t pos, Py_ssize_t *end, int depth, const Check *chk)
{
    Head h;
    if (read_head(r, pos, &h) < 0)
        return -1;
    if (chk != NULL && check_kind(r, pos, &h, chk) < 0)
        return -1;
    if (budget(r, pos, 1) < 0)
        return -1;
    if (h.kind == V_NULL) {
        *end = h.body;
        return col_nulls(r, c, 1);
    }
    return put(r, c, &h, pos, end, depth, chk);
}

/* Append the (non-null) value whose head is *hp to c, changing c's kind if it must. */
static int
put(Rd *r, Col *c, const Head *hp, Py_ssize_t pos, Py_ssize_t *end, int depth, const Check *chk)
{
    Head h = *hp;
    Py_ssize_t i, p;
    if (c->kind != h.kind || (h.kind == V_STRUCT && c->sdef != h.sdef)) {
        if (c->kind == V_NULL) {
            Py_ssize_t n = c->length;
            c->length = c->nulls = 0;
            if (col_init(r->bd, c, h.kind, h.sdef) < 0 || col_nulls(r, c, n) < 0)
                return -1;
        }
        else {
            Col *m = NULL;
            int8_t id;
            int32_t o;
            if (c->kind != V_UNION && col_to_union(c) < 0)
                return -1;
            for (i = 0; i < c->nkids; i++) {
                m = c->kids[i];
                if (m->kind == h.kind && (h.kind != V_STRUCT || m->sdef == h.sdef))
                    break;
            }
            if (i == c->nkids) {
                if (i >= 127)
                    return perr(pos, "more than 127 kinds of values in one column");
                m = col_new();
                if (m == NULL)
                    return -1;
                if (add_kid(c, m, NULL) < 0) {
                    col_free(m);
                    return -1;
                }
                if (col_init(r->bd, m, h.kind, h.sdef) < 0)
                    return -1;
            }
            if (m->length >= INT32_MAX)
                return perr(pos, "a mixed column longer than 2^31-1 values");
            id = (int8_t)i;
            o = (int32_t)m->length;
            if (buf_put(&c->types, &id, 1) < 0 || buf_put(&c->offs, &o, 4) < 0)
                return -1;
            c->length++;
            return put(r, m, &h, pos, end, depth, chk);
        }
    }
    switch (h.kind) {
    case V_BOOL:
        if (bits_extend(&c->data, c->length + 1) < 0)
            return -1;
        if (h.i)
            bit_set(&c->data, c->length);
        *end = h.body;
        break;
    case V_INT:
        if (buf_put(&c->data, &h.i, 8) < 0)
            return -1;
        *end = h.body;
        break;
    case V_FLOAT:
        if (buf_put(&c->data, &h.f, 8) < 0)
            return -1;
        *end = h.body;
        break;
    case V_STR:
    case V_BYTES:
    case V_UUID:
        if (h.size > r->len - h.body) {
            if (h.kind == V_UUID)
                return truncated(r);
            return perr(pos, "%s of declared size %zd runs past the end of the data (%zd bytes left)",
                        h.kind == V_STR ? "string" : "bytes", h.size, r->len - h.body);
        }
        if (h.kind == V_STR) {
            Py_ssize_t bad = utf8_bad(r->b + h.body, h.size);
            if (bad >= 0)
                return perr(h.body + bad, "invalid UTF-8 in string");
        }
        if (buf_put(&c->chars, r->b + h.body, h.size) < 0 || off_push(c, c->chars.len) < 0)
            return -1;
        *end = h.body + h.size;
        break;
    case V_LIST: {
        Check item = {V_ANY, -1, V_ANY, -1}; /* (typed items: their containers unchecked) */
        const Check *ic = NULL;
        if (depth >= r->bd->max_depth)
            return perr(pos, "containers nested deeper than max_depth=%d", r->bd->max_depth);
        if (h.size > r->len - h.body)
            return perr(pos, "list of declared size %zd runs past the end of the data (%zd bytes left)",
                        h.size, r->len - h.body);
        if (chk != NULL && (chk->item_mask != V_ANY || chk->item_tag >= 0)) {
            item.mask = chk->item_mask;
            item.tag = chk->item_tag;
            ic = &item;
        }
        p = h.body;
        for (i = 0; i < h.size; i++)
            if (append(r, c->child, p, &p, depth + 1, ic) < 0)
                return -1;
        if (off_push(c, c->child->length) < 0)
            return -1;
        *end = p;
        break;
    }
    case V_MAP: {
        Check item = {V_ANY, -1, V_ANY, -1}; /* (typed items: their containers unchecked) */
        const Check *ic = NULL;
        Py_ssize_t row = c->length;
        if (depth >= r->bd->max_depth)
            return perr(pos, "containers nested deeper than max_depth=%d", r->bd->max_depth);
        if (h.size > (r->len - h.body) / 2)
            return perr(pos, "map of declared size %zd runs past the end of the data (%zd bytes left)",
                        h.size, r->len - h.body);
        if (chk != NULL && (chk->item_mask != V_ANY || chk->item_tag >= 0)) {
            item.mask = chk->item_mask;
            item.tag = chk->item_tag;
            ic = &item;
        }
        p = h.body;
        for (i = 0; i < h.size; i++) {
            Head k;
            Col *kid = NULL;
            Py_ssize_t j;
            if (read_head(r, p, &k) < 0)
                return -1;
            if (k.kind != V_STR)
                return perr(p, "map key is not a string (a %s)", KIND_NAME[k.kind == V_STRUCT ? 9 : k.kind]);
            if (k.size > r->len - k.body)
                return perr(p, "string of declared size %zd runs past the end of the data (%zd bytes left)",
                            k.size, r->len - k.body);
            if (budget(r, p, 1) < 0)
                return -1;
            /* The keys usually come in the same order row after row: try the i-th first. */
            for (j = 0; j < c->nkids; j++) {
                Py_ssize_t at = (i + j) % c->nkids;
                PyObject *name = c->names[at];
                if (PyBytes_GET_SIZE(name) == k.size
                        && memcmp(PyBytes_AS_STRING(name), r->b + k.body, (size_t)k.size) == 0) {
                    kid = c->kids[at];
                    break;
                }
            }
            if (kid == NULL) {
                PyObject *name;
                Py_ssize_t bad = utf8_bad(r->b + k.body, k.size);
                if (bad >= 0)
                    return perr(k.body + bad, "invalid UTF-8 in string");
                name = PyBytes_FromStringAndSize((const char *)r->b + k.body, k.size);
                kid = col_new();
                if (name == NULL || kid == NULL || add_kid(c, kid, name) < 0) {
                    Py_XDECREF(name);
                    col_free(kid);
                    return -1;
                }
                if (col_nulls(r, kid, row) < 0) /* a key first seen now: null before */
                    return -1;
            }
            else if (kid->length != row)
                return perr(p, "map with the key %.*s twice: a columnar result cannot hold it "
                            "(read it as records)", (int)(k.size > 100 ? 100 : k.size), r->b + k.body);
            if (append(r, kid, k.body + k.size, &p, depth + 1, ic) < 0)
                return -1;
        }
        for (i = 0; i < c->nkids; i++)
            if (c->kids[i]->length == row) {
                if (budget(r, pos, 1) < 0 || col_nulls(r, c->kids[i], 1) < 0)
                    return -1;
            }
        *end = p;
        break;
    }
    case V_STRUCT: {
        const StructDef *sd = &r->bd->profile->structs[h.sdef];
        if (depth >= r->bd->max_depth)
            return perr(pos, "containers nested deeper than max_depth=%d", r->bd->max_depth);
        p = h.body;
        for (i = 0; i < sd->nfields; i++)
            if (append(r, c->kids[i], p, &p, depth + 1, &sd->fields[i].check) < 0)
                return -1;
        *end = p;
        break;
    }
    }
    if (valid_push(c) < 0)
        return -1;
    c->length++;
    return 0;
}

/* ---- describing ---------------------------------------------------------------------------- */

static PyObject *
describe(Builder *bd, Col *c)
{
    PyObject *valid = Py_None, *out = NULL, *names = NULL, *kids = NULL;
    const char *kind;
    Py_ssize_t i;

    if (c->kind == V_NULL)
        return Py_BuildValue("(sn)", "null", c->length);
    if (c->kind == V_UNION) {
        PyObject *types = buf_take(&c->types), *offs = types ? buf_take(&c->offs) : NULL;
        kids = PyList_New(c->nkids);
        if (types == NULL || offs == NULL || kids == NULL)
            goto union_fail;
        for (i = 0; i < c->nkids; i++) {
            PyObject *d = describe(bd, c->kids[i]);
            if (d == NULL)
                goto union_fail;
            PyList_SET_ITEM(kids, i, d);
        }
        out = Py_BuildValue("(snNNN)", "union", c->length, types, offs, kids);
        return out;
    union_fail:
        Py_XDECREF(types);
        Py_XDECREF(offs);
        Py_XDECREF(kids);
        return NULL;
    }
    if (c->has_valid) {
        if (bits_extend(&c->valid, c->length) < 0 || (valid = buf_take(&c->valid)) == NULL)
            return NULL;
    }
    else
        Py_INCREF(valid);
    kind = c->kind == V_STRUCT ? bd->profile->structs[c->sdef].name : KIND_NAME[c->kind];
    switch (c->kind) {
    case V_BOOL:
        if (bits_extend(&c->data, c->length) < 0)
            break;
        /* fall through */
    case V_INT:
    case V_FLOAT: {
        PyObject *data = buf_take(&c->data);
        if (data != NULL)
            out = Py_BuildValue("(snnNN)", kind, c->length, c->nulls, valid, data);
        return out != NULL ? out : (Py_DECREF(valid), NULL);
    }
    case V_STR:
    case V_BYTES:
    case V_UUID: {
        PyObject *offs = buf_take(&c->data), *chars = offs ? buf_take(&c->chars) : NULL;
        if (offs != NULL && chars != NULL)
            return Py_BuildValue("(snnNNNi)", kind, c->length, c->nulls, valid, offs, chars, c->wide);
        Py_XDECREF(offs);
        break;
    }
    case V_LIST: {
        PyObject *offs = buf_take(&c->data), *child = offs ? describe(bd, c->child) : NULL;
        if (offs != NULL && child != NULL)
            return Py_BuildValue("(snnNNiN)", kind, c->length, c->nulls, valid, offs, c->wide, child);
        Py_XDECREF(offs);
        break;
    }
    case V_MAP:
    case V_STRUCT:
        names = PyList_New(c->nkids);
        kids = PyList_New(c->nkids);
        if (names == NULL || kids == NULL)
            break;
        for (i = 0; i < c->nkids; i++) {
            PyObject *n = PyUnicode_DecodeUTF8(PyBytes_AS_STRING(c->names[i]),
                                               PyBytes_GET_SIZE(c->names[i]), "strict");
            PyObject *d = n != NULL ? describe(bd, c->kids[i]) : NULL;
            if (d == NULL) {
                Py_XDECREF(n);
                goto fail;
            }
            PyList_SET_ITEM(names, i, n);
            PyList_SET_ITEM(kids, i, d);
        }
        return Py_BuildValue("(snnNNN)", kind, c->length, c->nulls, valid, names, kids);
    }
fail:
    Py_XDECREF(names);
    Py_XDECREF(kids);
    Py_DECREF(valid);
    return NULL;
}

/* ---- the Builder type ---------------------------------------------------------------------- */

static void
free_cols(Builder *bd)
{
    int i;
    if (bd->cols == NULL)
        return;
    for (i = 0; i < bd->ncols; i++)
        col_free(bd->cols[i]);
    PyMem_Free(bd->cols);
    bd->cols = NULL;
}

static int
new_cols(Builder *bd)
{
    int i;
    bd->cols = PyMem_Calloc((size_t)(bd->ncols ? bd->ncols : 1), sizeof(Col *));
    if (bd->cols == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (i = 0; i < bd->ncols; i++)
        if ((bd->cols[i] = col_new()) == NULL)
            return -1;
    bd->rows = 0;
    return 0;
}

static int
builder_init(Builder *bd, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"profile", "ncols", "max_depth", "max_values", NULL};
    const char *profile;
    int ncols, max_depth = 256;
    PyObject *max_values = Py_None;
    const ProfileDef *p;

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "si|iO", kwlist, &profile, &ncols, &max_depth,
                                     &max_values))
        return -1;
    for (p = PROFILES; p->profile != NULL; p++)
        if (strcmp(p->profile, profile) == 0)
            break;
    if (p->profile == NULL) {
        PyErr_Format(PyExc_ValueError, "unknown Bolt profile %R", PyTuple_GET_ITEM(args, 0));
        return -1;
    }
    if (ncols < 0 || max_depth < 1) {
        PyErr_SetString(PyExc_ValueError, "ncols must be 0 or more and max_depth positive");
        return -1;
    }
    free_cols(bd);
    bd->profile = p;
    bd->ncols = ncols;
    bd->max_depth = max_depth;
    if (max_values == Py_None)
        bd->max_values = -1;
    else {
        bd->max_values = PyLong_AsSsize_t(max_values);
        if (bd->max_values < 1) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_ValueError, "max_values must be positive or None");
            return -1;
        }
    }
    bd->broken = 0;
    return new_cols(bd);
}

static void
builder_dealloc(Builder *bd)
{
    free_cols(bd);
    Py_TYPE(bd)->tp_free((PyObject *)bd);
}

/* Add the fields list at pos of b as one row; -1 with ProtocolError (the builder is then
 * unusable: a row may be half added). */
static int
add_row(Builder *bd, const unsigned char *b, Py_ssize_t len, Py_ssize_t pos)
{
    Py_ssize_t p;
    Rd r;
    Head h;
    int i;

    if (bd->broken || bd->cols == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "the column builder failed earlier: it holds no usable rows");
        return -1;
    }
    r.b = b;
    r.len = len;
    r.bd = bd;
    r.left = bd->max_values;
    if (pos < 0 || read_head(&r, pos, &h) < 0)
        goto fail;
    if (h.kind != V_LIST) {
        perr(pos, "a RECORD's fields are not a list");
        goto fail;
    }
    if (h.size != bd->ncols) {
        perr(pos, "a RECORD of %zd values for a result of %d keys", h.size, bd->ncols);
        goto fail;
    }
    if (budget(&r, pos, 1) < 0)
        goto fail;
    p = h.body;
    for (i = 0; i < bd->ncols; i++)
        if (append(&r, bd->cols[i], p, &p, 1, NULL) < 0)
            goto fail;
    if (p != r.len) {
        perr(p, "%zd bytes after the RECORD's fields", r.len - p);
        goto fail;
    }
    bd->rows++;
    return 0;
fail:
    bd->broken = 1;
    return -1;
}

static PyObject *
builder_add(Builder *bd, PyObject *args)
{
    Py_buffer view;
    Py_ssize_t pos;
    int rc;

    if (!PyArg_ParseTuple(args, "y*n", &view, &pos))
        return NULL;
    rc = add_row(bd, view.buf, view.len, pos);
    PyBuffer_Release(&view);
    if (rc < 0)
        return NULL;
    Py_RETURN_NONE;
}

/* add_records(payloads, start, max_len) -> (end, nbytes): add the RECORD payloads of the list
 * from start on, stopping before the first that is not a RECORD or is longer than max_len. */
static PyObject *
builder_add_records(Builder *bd, PyObject *args)
{
    PyObject *list;
    Py_ssize_t i, n, max_len, nbytes = 0;

    if (!PyArg_ParseTuple(args, "O!nn", &PyList_Type, &list, &i, &max_len))
        return NULL;
    n = PyList_GET_SIZE(list);
    if (i < 0)
        i = n;
    for (; i < n; i++) {
        PyObject *item = PyList_GET_ITEM(list, i);
        const unsigned char *p;
        Py_ssize_t len;
        if (!PyBytes_CheckExact(item))
            break;
        len = PyBytes_GET_SIZE(item);
        p = (const unsigned char *)PyBytes_AS_STRING(item);
        if (len < 2 || p[0] != 0xB1 || p[1] != 0x71 || len > max_len)
            break;
        if (add_row(bd, p, len, 2) < 0)
            return NULL;
        nbytes += len;
    }
    return Py_BuildValue("(nn)", i, nbytes);
}

static PyObject *
builder_finish(Builder *bd, PyObject *Py_UNUSED(ignored))
{
    PyObject *out;
    int i;
    if (bd->broken || bd->cols == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "the column builder failed earlier: it holds no usable rows");
        return NULL;
    }
    out = PyList_New(bd->ncols);
    if (out == NULL)
        return NULL;
    for (i = 0; i < bd->ncols; i++) {
        PyObject *d = describe(bd, bd->cols[i]);
        if (d == NULL) {
            Py_DECREF(out);
            bd->broken = 1;
            return NULL;
        }
        PyList_SET_ITEM(out, i, d);
    }
    free_cols(bd);
    if (new_cols(bd) < 0) {
        Py_DECREF(out);
        bd->broken = 1;
        return NULL;
    }
    return out;
}

static PyObject *
builder_rows(Builder *bd, void *Py_UNUSED(closure))
{
    return PyLong_FromSsize_t(bd->rows);
}

static PyMethodDef builder_methods[] = {
    {"add", (PyCFunction)builder_add, METH_VARARGS,
     "add(payload, pos): append the fields list at pos (a RECORD's) as one row."},
    {"add_records", (PyCFunction)builder_add_records, METH_VARARGS,
     "add_records(payloads, start, max_len) -> (end, nbytes): the RECORDs from start on."},
    {"finish", (PyCFunction)builder_finish, METH_NOARGS,
     "finish() -> [column description]: hand the columns over and start afresh."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef builder_getset[] = {
    {"rows", (getter)builder_rows, NULL, "rows appended since the last finish()", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject BuilderType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "asyncbolt._generated._columns.Builder",
    .tp_basicsize = sizeof(Builder),
    .tp_dealloc = (destructor)builder_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Builder(profile, ncols, max_depth=256, max_values=None): RECORD payloads into columns.",
    .tp_methods = builder_methods,
    .tp_getset = builder_getset,
    .tp_init = (initproc)builder_init,
    .tp_new = PyType_GenericNew,
};

static struct PyModuleDef moduledef = {
    PyModuleDef_HEAD_INIT, "_columns", "RECORD payloads into Arrow column buffers (generated).",
    -1, NULL, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__columns(void)
{
    PyObject *m, *errors;
    if (PyType_Ready(&BuilderType) < 0)
        return NULL;
    errors = PyImport_ImportModule("asyncbolt.errors");
    if (errors == NULL)
        return NULL;
    ProtocolError = PyObject_GetAttrString(errors, "ProtocolError");
    Py_DECREF(errors);
    if (ProtocolError == NULL)
        return NULL;
    m = PyModule_Create(&moduledef);
    if (m == NULL)
        return NULL;
    Py_INCREF(&BuilderType);
    if (PyModule_AddObject(m, "Builder", (PyObject *)&BuilderType) < 0) {
        Py_DECREF(&BuilderType);
        Py_DECREF(m);
        return NULL;
    }
    if (PyModule_AddStringConstant(m, "DIGEST", "a3bfe1fcf2be6eb7") < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
