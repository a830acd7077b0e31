/* Generated from spec/packstream.yaml, spec/bolt.yaml by `python -m codegen` (make generate).
 * Do not edit: change the spec and regenerate. */
/*
 * asyncbolt._generated._accel: the optional C accelerator of the PackStream codec.
 *
 * It implements the decoder and encoder of codec.py (the pure-Python fast path) in C, from the
 * same marker table, and must agree with it byte for byte and value for value:
 *
 *   bind(codec_module)                        once, hands over the Python tables and builders
 *   make_unpack(structs, profile[, max_depth[, max_values]]) -> unpack
 *                                             unpack(data, pos) -> (value, end)
 *                                             unpack.fields(data, pos, n) -> ([n values], end)
 *                                             unpack.records(payloads, start, max_len)
 *                                               -> ([values...], [sizes...]): a run of RECORDs
 *   RecordBase(values, index)                 the base of the client's Record (made, and read
 *                                             with [], in C)
 *   make_pack(packers, unavailable, pack_other) -> pack
 *                                             pack(value, out: bytearray) -> None
 *
 * Every read is bounds-checked; malformed input raises asyncbolt.ProtocolError with the offset
 * (and message) the checked Python decoder gives. Structures of the spec are type-checked and
 * built here, into the generated classes' slots; when a check fails the Python builder
 * (codec._b_<Name>_<i>) is called to raise its precise error, so error texts live in one place.
 * The encoder hands everything that is not a basic type or a structure of the profile to the
 * Python fallback (codec._pack_other), which calls back into this encoder for nested values.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define ACCEL_DIGEST "e4bbba9f443a2ef6"
#define MAX_SIZE 2147483647LL
#define MAX_STRUCT_FIELDS 15
#define MEMBER_OBJECT_EX 16 /* T_OBJECT_EX / Py_T_OBJECT_EX */

#if PY_VERSION_HEX < 0x030D0000
#define NEW_DICT(n) _PyDict_NewPresized(n)
#else
#define NEW_DICT(n) PyDict_New()
#endif

/* ---- what bind() hands over ------------------------------------------------------------- */

static int bound = 0;
static PyObject *ProtocolError;    /* asyncbolt.errors.ProtocolError */
static PyObject *GenericStructure; /* asyncbolt.codec.types.Structure */
static PyObject *TagVersions;      /* codec._TAG_VERSIONS: tag -> (name, versions) */
static PyObject *Gated;            /* codec._GATED: marker name -> profiles */
static PyTypeObject *AttrGetter;   /* operator.attrgetter */
static PyObject *from_UUID;    /* codec._from_UUID: bytes -> value */
static PyTypeObject *cls_Node;
static Py_ssize_t off_Node[4]; /* id, labels, properties, element_id */
static PyObject *pyb_Node_0; /* codec._b_Node_0 */
static PyObject *pyb_Node_1; /* codec._b_Node_1 */
static PyTypeObject *cls_Relationship;
static Py_ssize_t off_Relationship[8]; /* id, start_node_id, end_node_id, type, properties, element_id, start_node_element_id, end_node_element_id */
static PyObject *pyb_Relationship_0; /* codec._b_Relationship_0 */
static PyObject *pyb_Relationship_1; /* codec._b_Relationship_1 */
static PyTypeObject *cls_UnboundRelationship;
static Py_ssize_t off_UnboundRelationship[4]; /* id, type, properties, element_id */
static PyObject *pyb_UnboundRelationship_0; /* codec._b_UnboundRelationship_0 */
static PyObject *pyb_UnboundRelationship_1; /* codec._b_UnboundRelationship_1 */
static PyTypeObject *cls_Path;
static Py_ssize_t off_Path[3]; /* nodes, relationships, indices */
static PyObject *pyb_Path_0; /* codec._b_Path_0 */
static PyTypeObject *cls_Date;
static Py_ssize_t off_Date[1]; /* days */
static PyObject *pyb_Date_0; /* codec._b_Date_0 */
static PyTypeObject *cls_Time;
static Py_ssize_t off_Time[2]; /* nanoseconds, tz_offset_seconds */
static PyObject *pyb_Time_0; /* codec._b_Time_0 */
static PyTypeObject *cls_LocalTime;
static Py_ssize_t off_LocalTime[1]; /* nanoseconds */
static PyObject *pyb_LocalTime_0; /* codec._b_LocalTime_0 */
static PyTypeObject *cls_DateTime;
static Py_ssize_t off_DateTime[3]; /* seconds, nanoseconds, tz_offset_seconds */
static PyObject *pyb_DateTime_0; /* codec._b_DateTime_0 */
static PyTypeObject *cls_DateTimeZoneId;
static Py_ssize_t off_DateTimeZoneId[3]; /* seconds, nanoseconds, tz_id */
static PyObject *pyb_DateTimeZoneId_0; /* codec._b_DateTimeZoneId_0 */
static PyTypeObject *cls_LegacyDateTime;
static Py_ssize_t off_LegacyDateTime[3]; /* seconds, nanoseconds, tz_offset_seconds */
static PyObject *pyb_LegacyDateTime_0; /* codec._b_LegacyDateTime_0 */
static PyTypeObject *cls_LegacyDateTimeZoneId;
static Py_ssize_t off_LegacyDateTimeZoneId[3]; /* seconds, nanoseconds, tz_id */
static PyObject *pyb_LegacyDateTimeZoneId_0; /* codec._b_LegacyDateTimeZoneId_0 */
static PyTypeObject *cls_LocalDateTime;
static Py_ssize_t off_LocalDateTime[2]; /* seconds, nanoseconds */
static PyObject *pyb_LocalDateTime_0; /* codec._b_LocalDateTime_0 */
static PyTypeObject *cls_Duration;
static Py_ssize_t off_Duration[4]; /* months, days, seconds, nanoseconds */
static PyObject *pyb_Duration_0; /* codec._b_Duration_0 */
static PyTypeObject *cls_Point2D;
static Py_ssize_t off_Point2D[3]; /* srid, x, y */
static PyObject *pyb_Point2D_0; /* codec._b_Point2D_0 */
static PyTypeObject *cls_Point3D;
static Py_ssize_t off_Point3D[4]; /* srid, x, y, z */
static PyObject *pyb_Point3D_0; /* codec._b_Point3D_0 */
static PyTypeObject *cls_Vector;
static Py_ssize_t off_Vector[2]; /* type_marker, data */
static PyObject *pyb_Vector_0; /* codec._b_Vector_0 */
static PyTypeObject *cls_UnsupportedType;
static Py_ssize_t off_UnsupportedType[4]; /* name, minimum_protocol_major, minimum_protocol_minor, extra */
static PyObject *pyb_UnsupportedType_0; /* codec._b_UnsupportedType_0 */

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

/* The marker each byte starts. */
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

/* Markers that exist only in some versions (spec "versions"). */
enum {
    G_UUID,
    NGATED
};

/* ---- errors ------------------------------------------------------------------------------- */

/* Raise ProtocolError(message, offset); returns NULL. */
static PyObject *
perr(Py_ssize_t offset, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    PyObject *exc;

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    exc = PyObject_CallFunction(ProtocolError, "sn", text, offset);
    if (exc != NULL) {
        PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
        Py_DECREF(exc);
    }
    return NULL;
}

typedef struct Unpacker Unpacker;

/* One decode call. */
typedef struct {
    const unsigned char *b;
    Py_ssize_t len;
    Py_ssize_t start;
    Unpacker *d;
    int depth; /* containers open around the value being decoded */
    Py_ssize_t left; /* values this call may still produce (max_decoded_values) */
    const char *what; /* "value" or "message": what the budget is for, in its error */
} Ctx;

/* A read of fixed width past the end (codec.py: IndexError / struct.error -> Codec._truncated). */
static PyObject *
err_trunc(Ctx *c)
{
    return perr(c->len, "unexpected end of data: the value needs more than %zd bytes", c->len);
}

static PyObject *
err_overrun(Ctx *c, const char *what, uint64_t n, Py_ssize_t pos)
{
    return perr(pos, "%s of declared size %llu runs past the end of the data (%zd bytes left)",
                what, (unsigned long long)n, c->len - pos);
}

/* Turn the pending UnicodeDecodeError into ProtocolError at the bad byte (codec._bad_utf8). */
static PyObject *
err_utf8(Py_ssize_t pos)
{
    PyObject *type, *value, *tb, *reason = NULL, *exc = NULL, *msg;
    Py_ssize_t start = 0;

    if (!PyErr_ExceptionMatches(PyExc_UnicodeDecodeError))
        return NULL;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (value != NULL && PyUnicodeDecodeError_GetStart(value, &start) == 0)
        reason = PyUnicodeDecodeError_GetReason(value);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
    if (reason == NULL)
        return NULL;
    msg = PyUnicode_FromFormat("invalid UTF-8 in string: %U", reason);
    Py_DECREF(reason);
    if (msg == NULL)
        return NULL;
    exc = PyObject_CallFunction(ProtocolError, "On", msg, pos + start);
    Py_DECREF(msg);
    if (exc != NULL) {
        PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
        Py_DECREF(exc);
    }
    return NULL;
}

static PyObject *zero; /* the int 0 */

static inline PyObject *
_PyLong_GetZero_compat(void)
{
    return zero;
}

/* ---- byte order --------------------------------------------------------------------------- */

static inline uint16_t rd16(const unsigned char *p) { return (uint16_t)((p[0] << 8) | p[1]); }

static inline uint32_t
rd32(const unsigned char *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static inline uint64_t rd64(const unsigned char *p) { return ((uint64_t)rd32(p) << 32) | rd32(p + 4); }

static inline double
rdf64(const unsigned char *p)
{
    uint64_t u = rd64(p);
    double d;
    memcpy(&d, &u, 8);
    return d;
}

static inline void
wr16(unsigned char *p, uint16_t v)
{
    p[0] = (unsigned char)(v >> 8);
    p[1] = (unsigned char)v;
}

static inline void
wr32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static inline void
wr64(unsigned char *p, uint64_t v)
{
    wr32(p, (uint32_t)(v >> 32));
    wr32(p + 4, (uint32_t)v);
}

/* ---- strings ------------------------------------------------------------------------------ */

static inline int
is_ascii(const unsigned char *p, Py_ssize_t n)
{
    uint64_t acc = 0, w;
    Py_ssize_t i = 0;

    for (; i + 8 <= n; i += 8) {
        memcpy(&w, p + i, 8);
        acc |= w;
    }
    for (; i < n; i++)
        acc |= p[i];
    return (acc & 0x8080808080808080ULL) == 0;
}

static inline PyObject *
ascii_str(const unsigned char *p, Py_ssize_t n)
{
    PyObject *s = PyUnicode_New(n, 127);
    if (s != NULL)
        memcpy(PyUnicode_DATA(s), p, (size_t)n);
    return s;
}

/* The string of n bytes at b[pos] (UTF-8, strict, like bytes.decode()). */
static PyObject *
dec_str(const unsigned char *b, Py_ssize_t pos, Py_ssize_t n)
{
    PyObject *s;

    if (is_ascii(b + pos, n))
        return ascii_str(b + pos, n);
    s = PyUnicode_DecodeUTF8((const char *)b + pos, n, NULL);
    if (s == NULL)
        return err_utf8(pos);
    return s;
}

/* Short ASCII strings seen recently (map keys, labels...): equal strings are shared instead of
 * built again, and their hash is already known when they go into a dict. */
#define SCACHE_SIZE 2048
#define SCACHE_MAX_LEN 24
static PyObject *scache[SCACHE_SIZE];

static PyObject *
dec_cached_str(const unsigned char *b, Py_ssize_t pos, Py_ssize_t n)
{
    const unsigned char *p = b + pos;
    uint32_t h = 2166136261u ^ (uint32_t)n;
    PyObject **slot, *s;
    Py_ssize_t i;

    if (n > SCACHE_MAX_LEN)
        return dec_str(b, pos, n);
    for (i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    slot = &scache[(h ^ (h >> 15)) & (SCACHE_SIZE - 1)];
    s = *slot;
    if (s != NULL && PyUnicode_GET_LENGTH(s) == n && memcmp(PyUnicode_DATA(s), p, (size_t)n) == 0) {
        Py_INCREF(s);
        return s;
    }
    if (!is_ascii(p, n))
        return dec_str(b, pos, n);
    s = ascii_str(p, n);
    if (s == NULL)
        return NULL;
    if (PyObject_Hash(s) == -1) {
        Py_DECREF(s);
        return NULL;
    }
    Py_INCREF(s);
    Py_XSETREF(*slot, s);
    return s;
}

/* ---- structures --------------------------------------------------------------------------- */

/* Builders take the n decoded fields (owned references, always consumed) and the offset of the
 * structure marker; pyfn is the Python builder of the same layout. */
typedef PyObject *(*cbuild_t)(PyObject **f, Py_ssize_t n, Py_ssize_t at, PyObject *pyfn);

/* Call the Python builder: for structures the C checks refused (it raises the precise error)
 * and for builders this module does not know. */
static PyObject *
build_py(PyObject **f, Py_ssize_t n, Py_ssize_t at, PyObject *pyfn)
{
    PyObject *list = PyList_New(n), *result;
    Py_ssize_t i;

    if (list == NULL) {
        for (i = 0; i < n; i++)
            Py_DECREF(f[i]);
        return NULL;
    }
    for (i = 0; i < n; i++)
        PyList_SET_ITEM(list, i, f[i]);
    result = PyObject_CallFunction(pyfn, "On", list, at);
    Py_DECREF(list);
    return result;
}

/* An instance of cls with its slots (at offsets off) set to vals (owned; NULL = None). */
static PyObject *
construct(PyTypeObject *cls, const Py_ssize_t *off, Py_ssize_t nall, PyObject **vals)
{
    PyObject *obj = cls->tp_alloc(cls, 0);
    Py_ssize_t i;

    if (obj == NULL) {
        for (i = 0; i < nall; i++)
            Py_XDECREF(vals[i]);
        return NULL;
    }
    for (i = 0; i < nall; i++) {
        PyObject *v = vals[i];
        if (v == NULL) {
            v = Py_None;
            Py_INCREF(v);
        }
        *(PyObject **)((char *)obj + off[i]) = v;
    }
    return obj;
}

static int
chk_List_of_String(PyObject *v)
{
    Py_ssize_t i;
    for (i = 0; i < PyList_GET_SIZE(v); i++) {
        PyObject *y = PyList_GET_ITEM(v, i);
        if (!(PyUnicode_CheckExact(y)))
            return 0;
    }
    return 1;
}

static int
chk_List_of_Node(PyObject *v)
{
    Py_ssize_t i;
    for (i = 0; i < PyList_GET_SIZE(v); i++) {
        PyObject *y = PyList_GET_ITEM(v, i);
        if (!(Py_IS_TYPE(y, cls_Node)))
            return 0;
    }
    return 1;
}

static int
chk_List_of_UnboundRelationship(PyObject *v)
{
    Py_ssize_t i;
    for (i = 0; i < PyList_GET_SIZE(v); i++) {
        PyObject *y = PyList_GET_ITEM(v, i);
        if (!(Py_IS_TYPE(y, cls_UnboundRelationship)))
            return 0;
    }
    return 1;
}

static int
chk_List_of_Integer(PyObject *v)
{
    Py_ssize_t i;
    for (i = 0; i < PyList_GET_SIZE(v); i++) {
        PyObject *y = PyList_GET_ITEM(v, i);
        if (!(PyLong_CheckExact(y)))
            return 0;
    }
    return 1;
}

/* Node, Bolt 1.0-4.4 */
static PyObject *
cb_Node_0(PyObject **f, Py_ssize_t n, Py_ssize_t at, PyObject *pyfn)
{
    PyObject *all[4] = {NULL};

    if (!(PyLong_CheckExact(f[0])) ||
        !(PyList_CheckExact(f[1]) && chk_List_of_String(f[1])) ||
        !(PyDict_CheckExact(f[2])))
        return build_py(f, n, at, pyfn);
    all[0] = f[0];
    all[1] = f[1];
    all[2] = f[2];
    return construct(cls_Node, off_Node, 4, all);
}

/* Node, Bolt 5.0+ */
static PyObject *
cb_Node_1(PyObject **f, Py_ssize_t n, Py_ssize_t at, PyObject *pyfn)
{
    PyObject *all[4] = {NULL};

    if (!(f[0] == Py_None || PyLong_CheckExact(f[0])) ||
        !(PyList_CheckExact(f[1]) && chk_List_of_String(f[1])) ||
        !(PyDict_CheckExact(f[2])) ||
        !(PyUnicode_CheckExact(f[3])))
        return build_py(f, n, at, pyfn);
    all[0] = f[0];
    all[1] = f[1];
    all[2] = f[2];
    all[3] = f[3];
    return construct(cls_Node, off_Node, 4, all);
}

/* Relationship, Bolt 1.0-4.4 */
static PyObject *
cb_Relationship_0(PyObject **f, Py_ssize_t n, Py_ssize_t at, PyObject *pyfn)
{
    PyObject *all[8] = {NULL};

    if (!(PyLong_CheckExact(f[0])) ||
        !(PyLong_CheckExact(f[1])) ||
        !(PyLong_CheckExact(f[2])) ||
        !(PyUnicode_CheckExact(f[3])) ||
        !(PyDict_CheckExact(f[4])))
        return build_py(f, n, at, pyfn);
    all[0] = f[0];
    all[1] = f[1];
    all[2] = f[2];
    all[3] = f[3];
    all[4] = f[4];
    return construct(cls_Relationship, off_Relationship, 8, all);
}

/* Relationship, Bolt 5.0+ */
static PyObject *
cb_Relationship_1(PyObject **f, Py_ssize_t n, Py_ssize_t at, PyObject *pyfn)
{
    PyObject *all[8] = {NULL};

    if (!(f[0] == Py_None || PyLong_CheckExact(f[0])) ||
        !(f[1] == Py_None || PyLong_CheckExact(f[1])) ||
        !(f[2] == Py_None || PyLong_CheckExact(f[2])) ||
        !(PyUnicode_CheckExact(f[3])) ||
        !(PyDict_CheckExact(f[4])) ||
        !(PyUnicode_CheckExact(f[5])) ||
        !(PyUnicode_CheckExact(f[6])) ||
        !(PyUnicode_CheckExact(f[7])))
        return build_py(f, n, at, pyfn);
    all[0] = f[0];
    all[1] = f[1];
    all[2] = f[2];
    all[3] = f[3];
    all[4] = f[4];
    all[5] = f[5];
    all[6] = f[6];
    all[7] = f[7];
    return construct(cls_Relationship, off_Relationship, 8, all);
}

/* UnboundRelationship, Bolt 1.0-4.4 */
static PyObject *
cb_UnboundRelationship_0(PyObject **f, Py_ssize_t n, Py_ssize_t at, PyObject *pyfn)
{
    PyObject *all[4] = {NULL};

    if (!(PyLong_CheckExact(f[0])) ||
        !(PyUnicode_CheckExact(f[1])) ||
        !(PyDict_CheckExact(f[2])))
        return build_py(f, n, at, pyfn);
    all[0] = f[0];
    all[1] = f[1];
    all[2] = f[2];
    return construct(cls_UnboundRelationship, off_UnboundRelationship, 4, all);
}

/* UnboundRelationship, Bolt 5.0+ */
static PyObject *
cb_UnboundRelationship_1(PyObject **f, Py_ssize_t n, Py_ssize_t at, PyObject *pyfn)
{
    PyObject *all[4] = {NULL};

    if (!(f[0] == Py_None || PyLong_CheckExact(f[0])) ||
        !(PyUnicode_CheckExact(f[1])) ||
        !(PyDict_CheckExact(f[2])) ||
        !(PyUnicode_CheckExact(f[3])))
        return build_py(f, n, at, pyfn);
    all[0] = f[0];
    all[1] = f[1];
    all[2] = f[2];
    all[3] = f[3];
    return construct(cls_UnboundRelationship, off_UnboundRelationship, 4, all);
}

/* Path, Bolt 1.0+ */
static PyObject *
cb_Path_0(PyObject **f, Py_ssize_t n, Py_ssize_t at, PyObject *pyfn)
{
    PyObject *all[3] = {NULL};

    if (!(PyList_CheckExact(f[0]) && chk_List_of_Node(f[0])) ||
        !(PyList_CheckExact(f[1]) && chk_List_of_UnboundRelationship(f[1])) ||
        !(PyList_CheckExact(f[2]) && chk_List_of_Integer(f[2])))
        return build_py(f, n, at, pyfn);
    all[0] = f[0];
    all[1] = f[1];
    all[2] = f[2];
    return construct(cls_Path, off_Path, 3, all);
}

/* Date, Bolt 2.0+ */
static PyObject *
cb_Date_0(PyObject **f, Py_ssize_t n, Py_ssize_t at, PyObject *pyfn)
{
    PyObject *all[1] = {NULL};

    if (!(PyLong_CheckExact(f[0])))
        return build_py(f, n, at, pyfn);
    all[0] = f[0];
    return construct(cls_Date, off_Date, 1, all);
}

/* Time, Bolt 2.0+ */
static PyObject *
cb_Time_0(PyObject **f, Py_ssize_t n, Py_ssize_t at, PyObject *pyfn)
{
    PyObject *all[2] = {NULL};

    if (!(PyLong_CheckExact(f[0])) ||
        !(PyLong_CheckExact(f[1])))
        return build_py(f, n, at, pyfn);
    all[0] = f[0];
    all[1] = f[1];
    return construct(cls_Time, off_Time, 2, all);
}

/* LocalTime, Bolt 2.0+ */
static PyObject *
cb_LocalTime_0(PyObject **f, Py_ssize_t n, Py_ssize_t at, PyObject *pyfn)
{
    PyObject *all[1] = {NULL};

    if (!(PyLong_CheckExact(f[0])))
        return build_py(f, n, at, pyfn);
    all[0] = f[0];
    return construct(cls_LocalTime, off_LocalTime, 1, all);
}

/* DateTime, Bolt 5.0+, 4.3-4.4 with patch utc */
static PyObject *
cb_DateTime_0(PyObject **f, Py_ssize_t n, Py_ssize_t at, PyObject *pyfn)
{
    PyObject *all[3] = {NULL};

    if (!(PyLong_CheckExact(f[0])) ||
        !(PyLong_CheckExact(f[1])) ||
        !(PyLong_CheckExact(f[2])))
        return build_py(f, n, at, pyfn);
    all[0] = f[0];
    all[1] = f[1];
    all[2] = f[2];
    return construct(cls_DateTime, off_DateTime, 3, all);
}

/* DateTimeZoneId, Bolt 5.0+, 4.3-4.4 with patch utc */
static PyObject *
cb_DateTimeZoneId_0(PyObject **f, Py_ssize_t n, Py_ssize_t at, PyObject *pyfn)
{
    PyObject *all[3] = {NULL};

    if (!(PyLong_CheckExact(f[0])) ||
        !(PyLong_CheckExact(f[1])) ||
        !(PyUnicode_CheckExact(f[2])))
        return build_py(f, n, at, pyfn);
    all[0] = f[0];
    all[1] = f[1];
    all[2] = f[2];
    return construct(cls_DateTimeZoneId, off_DateTimeZoneId, 3, all);
}

/* LegacyDateTime, Bolt 2.0-4.4 without patch utc */
static PyObject *
cb_LegacyDateTime_0(PyObject **f, Py_ssize_t n, Py_ssize_t at, PyObject *pyfn)
{
    PyObject *all[3] = {NULL};

    if (!(PyLong_CheckExact(f[0])) ||
        !(PyLong_CheckExact(f[1])) ||
        !(PyLong_CheckExact(f[2])))
        return build_py(f, n, at, pyfn);
    all[0] = f[0];
    all[1] = f[1];
    all[2] = f[2];
    return construct(cls_LegacyDateTime, off_LegacyDateTime, 3, all);
}

/* LegacyDateTimeZoneId, Bolt 2.0-4.4 without patch utc */
static PyObject *
cb_LegacyDateTimeZoneId_0(PyObject **f, Py_ssize_t n, Py_ssize_t at, PyObject *pyfn)
{
    PyObject *all[3] = {NULL};

    if (!(PyLong_CheckExact(f[0])) ||
        !(PyLong_CheckExact(f[1])) ||
        !(PyUnicode_CheckExact(f[2])))
        return build_py(f, n, at, pyfn);
    all[0] = f[0];
    all[1] = f[1];
    all[2] = f[2];
    return construct(cls_LegacyDateTimeZoneId, off_LegacyDateTimeZoneId, 3, all);
}

/* LocalDateTime, Bolt 2.0+ */
static PyObject *
cb_LocalDateTime_0(PyObject **f, Py_ssize_t n, Py_ssize_t at, PyObject *pyfn)
{
    PyObject *all[2] = {NULL};

    if (!(PyLong_CheckExact(f[0])) ||
        !(PyLong_CheckExact(f[1])))
        return build_py(f, n, at, pyfn);
    all[0] = f[0];
    all[1] = f[1];
    return construct(cls_LocalDateTime, off_LocalDateTime, 2, all);
}

/* Duration, Bolt 2.0+ */
static PyObject *
cb_Duration_0(PyObject **f, Py_ssize_t n, Py_ssize_t at, PyObject *pyfn)
{
    PyObject *all[4] = {NULL};

    if (!(PyLong_CheckExact(f[0])) ||
        !(PyLong_CheckExact(f[1])) ||
        !(PyLong_CheckExact(f[2])) ||
        !(PyLong_CheckExact(f[3])))
        return build_py(f, n, at, pyfn);
    all[0] = f[0];
    all[1] = f[1];
    all[2] = f[2];
    all[3] = f[3];
    return construct(cls_Duration, off_Duration, 4, all);
}

/* Point2D, Bolt 2.0+ */
static PyObject *
cb_Point2D_0(PyObject **f, Py_ssize_t n, Py_ssize_t at, PyObject *pyfn)
{
    PyObject *all[3] = {NULL};

    if (!(PyLong_CheckExact(f[0])) ||
        !(PyFloat_CheckExact(f[1])) ||
        !(PyFloat_CheckExact(f[2])))
        return build_py(f, n, at, pyfn);
    all[0] = f[0];
    all[1] = f[1];
    all[2] = f[2];
    return construct(cls_Point2D, off_Point2D, 3, all);
}

/* Point3D, Bolt 2.0+ */
static PyObject *
cb_Point3D_0(PyObject **f, Py_ssize_t n, Py_ssize_t at, PyObject *pyfn)
{
    PyObject *all[4] = {NULL};

    if (!(PyLong_CheckExact(f[0])) ||
        !(PyFloat_CheckExact(f[1])) ||
        !(PyFloat_CheckExact(f[2])) ||
        !(PyFloat_CheckExact(f[3])))
        return build_py(f, n, at, pyfn);
    all[0] = f[0];
    all[1] = f[1];
    all[2] = f[2];
    all[3] = f[3];
    return construct(cls_Point3D, off_Point3D, 4, all);
}

/* Vector, Bolt 6.0+ */
static PyObject *
cb_Vector_0(PyObject **f, Py_ssize_t n, Py_ssize_t at, PyObject *pyfn)
{
    PyObject *all[2] = {NULL};

    if (!(PyBytes_CheckExact(f[0])) ||
        !(PyBytes_CheckExact(f[1])))
        return build_py(f, n, at, pyfn);
    all[0] = f[0];
    all[1] = f[1];
    return construct(cls_Vector, off_Vector, 2, all);
}

/* UnsupportedType, Bolt 6.0+ */
static PyObject *
cb_UnsupportedType_0(PyObject **f, Py_ssize_t n, Py_ssize_t at, PyObject *pyfn)
{
    PyObject *all[4] = {NULL};

    if (!(PyUnicode_CheckExact(f[0])) ||
        !(PyLong_CheckExact(f[1])) ||
        !(PyLong_CheckExact(f[2])) ||
        !(PyDict_CheckExact(f[3])))
        return build_py(f, n, at, pyfn);
    all[0] = f[0];
    all[1] = f[1];
    all[2] = f[2];
    all[3] = f[3];
    return construct(cls_UnsupportedType, off_UnsupportedType, 4, all);
}

typedef struct {
    const char *name;
    PyObject **py;
    cbuild_t fn;
} Builder;

static const Builder BUILDERS[] = {
    {"_b_Node_0", &pyb_Node_0, cb_Node_0},
    {"_b_Node_1", &pyb_Node_1, cb_Node_1},
    {"_b_Relationship_0", &pyb_Relationship_0, cb_Relationship_0},
    {"_b_Relationship_1", &pyb_Relationship_1, cb_Relationship_1},
    {"_b_UnboundRelationship_0", &pyb_UnboundRelationship_0, cb_UnboundRelationship_0},
    {"_b_UnboundRelationship_1", &pyb_UnboundRelationship_1, cb_UnboundRelationship_1},
    {"_b_Path_0", &pyb_Path_0, cb_Path_0},
    {"_b_Date_0", &pyb_Date_0, cb_Date_0},
    {"_b_Time_0", &pyb_Time_0, cb_Time_0},
    {"_b_LocalTime_0", &pyb_LocalTime_0, cb_LocalTime_0},
    {"_b_DateTime_0", &pyb_DateTime_0, cb_DateTime_0},
    {"_b_DateTimeZoneId_0", &pyb_DateTimeZoneId_0, cb_DateTimeZoneId_0},
    {"_b_LegacyDateTime_0", &pyb_LegacyDateTime_0, cb_LegacyDateTime_0},
    {"_b_LegacyDateTimeZoneId_0", &pyb_LegacyDateTimeZoneId_0, cb_LegacyDateTimeZoneId_0},
    {"_b_LocalDateTime_0", &pyb_LocalDateTime_0, cb_LocalDateTime_0},
    {"_b_Duration_0", &pyb_Duration_0, cb_Duration_0},
    {"_b_Point2D_0", &pyb_Point2D_0, cb_Point2D_0},
    {"_b_Point3D_0", &pyb_Point3D_0, cb_Point3D_0},
    {"_b_Vector_0", &pyb_Vector_0, cb_Vector_0},
    {"_b_UnsupportedType_0", &pyb_UnsupportedType_0, cb_UnsupportedType_0},
    {NULL, NULL, NULL},
};

/* ---- decoder ------------------------------------------------------------------------------ */

typedef struct {
    int nfields; /* -1: the tag is not a structure of this profile */
    cbuild_t fn;
    PyObject *pyfn;
    PyObject *name;
} SEntry;

struct Unpacker {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    PyObject *profile;
    const char *profile_text;
    int allow[NGATED + 1];
    int max_depth; /* containers nested deeper than this are refused */
    Py_ssize_t max_values; /* values one call may produce; PY_SSIZE_T_MAX: no limit */
    SEntry tags[128];
};

static PyObject *dec_value(Ctx *c, Py_ssize_t *ppos);

/* Entering a container (dec_value has checked the configured nesting limit): C stack safety. */
static int
enter_level(Ctx *c)
{
    if (Py_EnterRecursiveCall(" while decoding PackStream"))
        return -1;
    c->depth++;
    return 0;
}

/* A container starts at offset at: refuse it if it would nest deeper than max_depth. */
static PyObject *
too_deep(Ctx *c, Py_ssize_t at)
{
    return perr(at, "values nested deeper than %d levels", c->d->max_depth);
}

/* The container at offset at declares more values than the budget has left (codec._too_many). */
static PyObject *
too_many(Ctx *c, Py_ssize_t at)
{
    char digits[32], text[48];
    int nd = snprintf(digits, sizeof(digits), "%zd", c->d->max_values), i, j = 0;

    for (i = 0; i < nd; i++) {
        if (i > 0 && (nd - i) % 3 == 0)
            text[j++] = ',';
        text[j++] = digits[i];
    }
    text[j] = '\0';
    return perr(at, "%s decodes to more than %s values (max_decoded_values)", c->what, text);
}

static void
leave_level(Ctx *c)
{
    c->depth--;
    Py_LeaveRecursiveCall();
}

static PyObject *
dec_list(Ctx *c, Py_ssize_t n, Py_ssize_t *ppos)
{
    PyObject *list, *item;
    Py_ssize_t i;

    if (enter_level(c))
        return NULL;
    list = PyList_New(n);
    if (list != NULL) {
        for (i = 0; i < n; i++) {
            item = dec_value(c, ppos);
            if (item == NULL) {
                Py_CLEAR(list);
                break;
            }
            PyList_SET_ITEM(list, i, item);
        }
    }
    leave_level(c);
    return list;
}

static PyObject *
dec_map(Ctx *c, Py_ssize_t n, Py_ssize_t *ppos)
{
    const unsigned char *b = c->b;
    Py_ssize_t len = c->len, pos = *ppos, i;
    PyObject *d, *key, *value;
    uint64_t kn;
    unsigned int k;

    if (enter_level(c))
        return NULL;
    d = NEW_DICT(n);
    if (d == NULL)
        goto fail;
    for (i = 0; i < n; i++) {
        if (pos >= len) {
            err_trunc(c);
            goto fail;
        }
        k = b[pos++];
        switch (KIND[k]) {
        case K_TINY_STRING:
            kn = k - 0x80;
            break;
        case K_STRING_8:
            if (len - pos < 1) {
                err_trunc(c);
                goto fail;
            }
            kn = b[pos];
            pos += 1;
            break;
        case K_STRING_16:
            if (len - pos < 2) {
                err_trunc(c);
                goto fail;
            }
            kn = rd16(b + pos);
            pos += 2;
            break;
        case K_STRING_32:
            if (len - pos < 4) {
                err_trunc(c);
                goto fail;
            }
            kn = rd32(b + pos);
            pos += 4;
            break;
        default:
            perr(pos - 1, "map key must be a string, found marker 0x%02X", k);
            goto fail;
        }
        if (kn > (uint64_t)(len - pos)) {
            err_overrun(c, "string", kn, pos);
            goto fail;
        }
        key = dec_cached_str(b, pos, (Py_ssize_t)kn);
        if (key == NULL)
            goto fail;
        pos += (Py_ssize_t)kn;
        value = dec_value(c, &pos);
        if (value == NULL) {
            Py_DECREF(key);
            goto fail;
        }
        if (PyDict_SetItem(d, key, value) < 0) {
            Py_DECREF(key);
            Py_DECREF(value);
            goto fail;
        }
        Py_DECREF(key);
        Py_DECREF(value);
    }
    leave_level(c);
    *ppos = pos;
    return d;
fail:
    leave_level(c);
    Py_XDECREF(d);
    return NULL;
}

/* n fields from *ppos into f (owned references); 0 or -1. */
static int
dec_fields(Ctx *c, Py_ssize_t n, Py_ssize_t *ppos, PyObject **f)
{
    Py_ssize_t i, j;

    for (i = 0; i < n; i++) {
        f[i] = dec_value(c, ppos);
        if (f[i] == NULL) {
            for (j = 0; j < i; j++)
                Py_DECREF(f[j]);
            return -1;
        }
    }
    return 0;
}

/* A structure whose tag this profile does not define (codec._other_struct). */
static PyObject *
dec_other_struct(Ctx *c, Py_ssize_t n, unsigned int tag, Py_ssize_t *ppos)
{
    Py_ssize_t pos = *ppos;
    PyObject *key, *known, *list, *result;
    PyObject *f[16];

    key = PyLong_FromLong((long)tag);
    if (key == NULL)
        return NULL;
    known = PyDict_GetItemWithError(TagVersions, key); /* borrowed */
    Py_DECREF(key);
    if (known != NULL) {
        const char *name, *versions;
        if (!PyTuple_Check(known) || PyTuple_GET_SIZE(known) != 2)
            return perr(pos - 1, "structure tag 0x%02X is not part of Bolt %s", tag, c->d->profile_text);
        name = PyUnicode_AsUTF8(PyTuple_GET_ITEM(known, 0));
        versions = PyUnicode_AsUTF8(PyTuple_GET_ITEM(known, 1));
        if (name == NULL || versions == NULL)
            return NULL;
        return perr(pos - 1, "structure %s (tag 0x%02X) is not part of Bolt %s; it exists in Bolt %s",
                    name, tag, c->d->profile_text, versions);
    }
    if (PyErr_Occurred())
        return NULL;
    if (n > c->left)
        return too_many(c, pos - 1);
    c->left -= n;
    pos += 1;
    if (n > 16) /* cannot happen with a nibble-sized structure marker */
        return perr(pos - 2, "structure of %zd fields", n);
    if (enter_level(c))
        return NULL;
    if (dec_fields(c, n, &pos, f) < 0) {
        leave_level(c);
        return NULL;
    }
    leave_level(c);
    list = PyList_New(n);
    if (list == NULL) {
        for (Py_ssize_t i = 0; i < n; i++)
            Py_DECREF(f[i]);
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n; i++)
        PyList_SET_ITEM(list, i, f[i]);
    result = PyObject_CallFunction(GenericStructure, "IO", tag, list);
    Py_DECREF(list);
    if (result != NULL)
        *ppos = pos;
    return result;
}

static PyObject *
dec_struct(Ctx *c, Py_ssize_t n, Py_ssize_t *ppos)
{
    Py_ssize_t pos = *ppos, at = pos - 1;
    PyObject *f[16], *result;
    const SEntry *e;
    unsigned int tag;

    if (pos >= c->len)
        return err_trunc(c);
    tag = c->b[pos];
    if (tag > 0x7F)
        return perr(pos, "structure tag 0x%02X is outside 0x00-0x7F", tag);
    e = &c->d->tags[tag];
    if (e->nfields < 0)
        return dec_other_struct(c, n, tag, ppos);
    if (n != e->nfields) {
        const char *name = PyUnicode_AsUTF8(e->name);
        if (name == NULL)
            return NULL;
        return perr(at, "%s structure must have %d fields, found %zd", name, e->nfields, n);
    }
    if (n > 16)
        return perr(at, "structure of %zd fields", n);
    if (n > c->left)
        return too_many(c, at);
    c->left -= n;
    pos += 1;
    if (enter_level(c))
        return NULL;
    if (dec_fields(c, n, &pos, f) < 0) {
        leave_level(c);
        return NULL;
    }
    result = e->fn != NULL ? e->fn(f, n, at, e->pyfn) : build_py(f, n, at, e->pyfn);
    leave_level(c);
    if (result != NULL)
        *ppos = pos;
    return result;
}

/* One value at *ppos; advances *ppos past it. New reference, or NULL with an exception. */
static PyObject *
dec_value(Ctx *c, Py_ssize_t *ppos)
{
    const unsigned char *b = c->b;
    Py_ssize_t len = c->len, pos = *ppos;
    PyObject *v;
    uint64_t n;
    unsigned int mk;

    if (pos >= len)
        return err_trunc(c);
    mk = b[pos++];
    switch (KIND[mk]) {
    case K_TINY_INT:
        v = PyLong_FromLong((long)mk);
        break;
    case K_TINY_STRING:
        n = mk - 0x80;
        goto string_body;
    case K_TINY_LIST:
        n = mk - 0x90;
        goto list_body;
    case K_TINY_MAP:
        n = mk - 0xA0;
        goto map_body;
    case K_TINY_STRUCT:
        n = mk - 0xB0;
        goto struct_body;
    case K_NULL:
        v = Py_None;
        Py_INCREF(v);
        break;
    case K_FLOAT_64:
        if (len - pos < 8)
            return err_trunc(c);
        v = PyFloat_FromDouble(rdf64(b + pos));
        pos += 8;
        break;
    case K_FALSE:
        v = Py_False;
        Py_INCREF(v);
        break;
    case K_TRUE:
        v = Py_True;
        Py_INCREF(v);
        break;
    case K_INT_8:
        if (len - pos < 1)
            return err_trunc(c);
        v = PyLong_FromLong((long)(signed char)b[pos]);
        pos += 1;
        break;
    case K_INT_16:
        if (len - pos < 2)
            return err_trunc(c);
        v = PyLong_FromLong((long)(int16_t)rd16(b + pos));
        pos += 2;
        break;
    case K_INT_32:
        if (len - pos < 4)
            return err_trunc(c);
        v = PyLong_FromLong((long)(int32_t)rd32(b + pos));
        pos += 4;
        break;
    case K_INT_64:
        if (len - pos < 8)
            return err_trunc(c);
        v = PyLong_FromLongLong((long long)(int64_t)rd64(b + pos));
        pos += 8;
        break;
    case K_BYTES_8:
        if (len - pos < 1)
            return err_trunc(c);
        n = b[pos];
        pos += 1;
        goto bytes_body;
    case K_BYTES_16:
        if (len - pos < 2)
            return err_trunc(c);
        n = rd16(b + pos);
        pos += 2;
        goto bytes_body;
    case K_BYTES_32:
        if (len - pos < 4)
            return err_trunc(c);
        n = rd32(b + pos);
        pos += 4;
        goto bytes_body;
    case K_STRING_8:
        if (len - pos < 1)
            return err_trunc(c);
        n = b[pos];
        pos += 1;
        goto string_body;
    case K_STRING_16:
        if (len - pos < 2)
            return err_trunc(c);
        n = rd16(b + pos);
        pos += 2;
        goto string_body;
    case K_STRING_32:
        if (len - pos < 4)
            return err_trunc(c);
        n = rd32(b + pos);
        pos += 4;
        goto string_body;
    case K_LIST_8:
        if (len - pos < 1)
            return err_trunc(c);
        n = b[pos];
        pos += 1;
        goto list_body;
    case K_LIST_16:
        if (len - pos < 2)
            return err_trunc(c);
        n = rd16(b + pos);
        pos += 2;
        goto list_body;
    case K_LIST_32:
        if (len - pos < 4)
            return err_trunc(c);
        n = rd32(b + pos);
        pos += 4;
        goto list_body;
    case K_MAP_8:
        if (len - pos < 1)
            return err_trunc(c);
        n = b[pos];
        pos += 1;
        goto map_body;
    case K_MAP_16:
        if (len - pos < 2)
            return err_trunc(c);
        n = rd16(b + pos);
        pos += 2;
        goto map_body;
    case K_MAP_32:
        if (len - pos < 4)
            return err_trunc(c);
        n = rd32(b + pos);
        pos += 4;
        goto map_body;
    case K_TINY_INT_NEGATIVE:
        v = PyLong_FromLong((long)mk - 0x100);
        break;
    case K_UUID:
        if (!c->d->allow[G_UUID])
            return perr(pos - 1, "UUID (marker 0xE0) is not part of Bolt %s; "
                        "it exists in Bolt 6.1+", c->d->profile_text);
        if (len - pos < 16)
            return err_overrun(c, "UUID", 16, pos);
        {
            PyObject *raw = PyBytes_FromStringAndSize((const char *)b + pos, 16);
            if (raw == NULL)
                return NULL;
            v = PyObject_CallOneArg(from_UUID, raw);
            Py_DECREF(raw);
        }
        pos += 16;
        break;
    default:
        if (mk == 0xDC)
            return perr(pos - 1, "%s", "STRUCT_8 (marker 0xDC) is a legacy PackStream v1 marker (a structure with a 1-byte field count) that Bolt does not use");
        if (mk == 0xDD)
            return perr(pos - 1, "%s", "STRUCT_16 (marker 0xDD) is a legacy PackStream v1 marker (a structure with a 2-byte field count) that Bolt does not use");
        return perr(pos - 1, "reserved marker byte 0x%02X", mk);
    }
    if (v == NULL)
        return NULL;
    *ppos = pos;
    return v;

string_body:
    if (n > (uint64_t)(len - pos))
        return err_overrun(c, "string", n, pos);
    v = n <= 8 ? dec_cached_str(b, pos, (Py_ssize_t)n) : dec_str(b, pos, (Py_ssize_t)n);
    if (v == NULL)
        return NULL;
    *ppos = pos + (Py_ssize_t)n;
    return v;
bytes_body:
    if (n > (uint64_t)(len - pos))
        return err_overrun(c, "bytes", n, pos);
    v = PyBytes_FromStringAndSize((const char *)b + pos, (Py_ssize_t)n);
    if (v == NULL)
        return NULL;
    *ppos = pos + (Py_ssize_t)n;
    return v;
list_body:
    if (c->depth >= c->d->max_depth)
        return too_deep(c, *ppos);
    if (n > (uint64_t)(len - pos))
        return err_overrun(c, "list", n, pos);
    if (n > (uint64_t)c->left)
        return too_many(c, *ppos);
    c->left -= (Py_ssize_t)n;
    v = dec_list(c, (Py_ssize_t)n, &pos);
    if (v != NULL)
        *ppos = pos;
    return v;
map_body:
    if (c->depth >= c->d->max_depth)
        return too_deep(c, *ppos);
    if (n > (uint64_t)((len - pos) >> 1))
        return err_overrun(c, "map", n, pos);
    if (n > (uint64_t)(c->left >> 1))
        return too_many(c, *ppos);
    c->left -= 2 * (Py_ssize_t)n;
    v = dec_map(c, (Py_ssize_t)n, &pos);
    if (v != NULL)
        *ppos = pos;
    return v;
struct_body:
    if (c->depth >= c->d->max_depth)
        return too_deep(c, *ppos);
    v = dec_struct(c, (Py_ssize_t)n, &pos);
    if (v != NULL)
        *ppos = pos;
    return v;
}

/* Set c up to read data from offset pos (-1 with an exception); *release: view to release. */
static int
ctx_open(Ctx *c, PyObject *self, PyObject *data, Py_ssize_t pos, Py_buffer *view, int *release)
{
    *release = 0;
    if (PyBytes_CheckExact(data)) {
        c->b = (const unsigned char *)PyBytes_AS_STRING(data);
        c->len = PyBytes_GET_SIZE(data);
    }
    else {
        if (PyObject_GetBuffer(data, view, PyBUF_SIMPLE) < 0)
            return -1;
        *release = 1;
        c->b = (const unsigned char *)view->buf;
        c->len = view->len;
    }
    if (pos < 0) {
        if (*release)
            PyBuffer_Release(view);
        PyErr_SetString(PyExc_IndexError, "negative offset");
        return -1;
    }
    c->start = pos;
    c->d = (Unpacker *)self;
    c->depth = 0;
    return 0;
}

/* (value, end) -> a new tuple; consumes value. */
static PyObject *
pair_with_end(PyObject *value, Py_ssize_t pos)
{
    PyObject *end, *result;

    end = PyLong_FromSsize_t(pos);
    if (end == NULL) {
        Py_DECREF(value);
        return NULL;
    }
    result = PyTuple_New(2);
    if (result == NULL) {
        Py_DECREF(value);
        Py_DECREF(end);
        return NULL;
    }
    PyTuple_SET_ITEM(result, 0, value);
    PyTuple_SET_ITEM(result, 1, end);
    return result;
}

/* One value at c->start, with its own budget; NULL with an exception. */
static PyObject *
dec_top(Ctx *c, Py_ssize_t *ppos)
{
    PyObject *value = dec_value(c, ppos);

    if (value == NULL && PyErr_ExceptionMatches(PyExc_RecursionError)) {
        PyErr_Clear();
        perr(c->start, "values nested too deeply to decode");
    }
    return value;
}

static PyObject *
unpacker_call(PyObject *self, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf), pos;
    PyObject *value;
    Py_buffer view;
    int release;
    Ctx c;

    if (nargs != 2 || (kwnames != NULL && PyTuple_GET_SIZE(kwnames))) {
        PyErr_SetString(PyExc_TypeError, "unpack(data, pos) takes exactly 2 positional arguments");
        return NULL;
    }
    pos = PyLong_AsSsize_t(args[1]);
    if (pos == -1 && PyErr_Occurred())
        return NULL;
    if (ctx_open(&c, self, args[0], pos, &view, &release) < 0)
        return NULL;
    c.left = c.d->max_values - 1; /* the value itself counts */
    c.what = "value";
    value = dec_top(&c, &pos);
    if (release)
        PyBuffer_Release(&view);
    if (value == NULL)
        return NULL;
    return pair_with_end(value, pos);
}

/* unpack.fields(data, pos, n) -> ([n values], end): a message's fields, with one budget for all. */
static PyObject *
unpacker_fields(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    Py_ssize_t pos, n, i;
    PyObject *list, *value;
    Py_buffer view;
    int release;
    Ctx c;

    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, "fields(data, pos, n) takes exactly 3 arguments");
        return NULL;
    }
    pos = PyLong_AsSsize_t(args[1]);
    if (pos == -1 && PyErr_Occurred())
        return NULL;
    n = PyLong_AsSsize_t(args[2]);
    if (n == -1 && PyErr_Occurred())
        return NULL;
    if (n < 0 || n > MAX_STRUCT_FIELDS) {
        PyErr_Format(PyExc_ValueError, "a message has 0 to %d fields, not %zd", MAX_STRUCT_FIELDS, n);
        return NULL;
    }
    if (ctx_open(&c, self, args[0], pos, &view, &release) < 0)
        return NULL;
    c.what = "message";
    c.left = c.d->max_values - n; /* every field counts */
    if (c.left < 0) {
        list = too_many(&c, pos - 2);
        goto done;
    }
    list = PyList_New(n);
    if (list == NULL)
        goto done;
    for (i = 0; i < n; i++) {
        c.start = pos;
        value = dec_top(&c, &pos);
        if (value == NULL) {
            Py_CLEAR(list);
            goto done;
        }
        PyList_SET_ITEM(list, i, value);
    }
done:
    if (release)
        PyBuffer_Release(&view);
    if (list == NULL)
        return NULL;
    return pair_with_end(list, pos);
}

/* unpack.whole(data) -> value: exactly one value filling data (Codec.unpack). */
static PyObject *
unpacker_whole(PyObject *self, PyObject *data)
{
    PyObject *args[2], *result, *value;
    Py_ssize_t end, len;

    args[0] = data;
    args[1] = _PyLong_GetZero_compat();
    result = unpacker_call(self, args, 2, NULL);
    if (result == NULL)
        return NULL;
    value = PyTuple_GET_ITEM(result, 0);
    end = PyLong_AsSsize_t(PyTuple_GET_ITEM(result, 1));
    len = PyBytes_CheckExact(data) ? PyBytes_GET_SIZE(data) : PyObject_Length(data);
    if (len < 0) {
        Py_DECREF(result);
        return NULL;
    }
    if (end != len) {
        Py_DECREF(result);
        return perr(end, "%zd trailing bytes after the value", len - end);
    }
    Py_INCREF(value);
    Py_DECREF(result);
    return value;
}

/* unpack.records(payloads, start, max_len) -> ([values, ...], [size, ...]): the RECORD messages
 * of the list payloads from index start on, each decoded alone (as unpack(payload, 2): its own
 * max_decoded_values budget), with their sizes; one call for a whole batch of RECORDs instead of
 * one per message. It stops before the first payload that is not a RECORD of one list, is longer
 * than max_len, or does not decode cleanly (that error is dropped: the caller's per-message path
 * decodes it again and reports it precisely).
 *
 * The cyclic garbage collector is paused while the run is decoded (and resumed after, unless it
 * was off already): the run's values are new trees, all alive until read, so no collection can
 * find garbage among them, yet a run of 1,000 RECORDs allocates enough containers to trigger ten
 * young-generation collections that each walk what is alive and promote it, and then full
 * collections: that was half the client's time per record. Paused, it is one collection after
 * the run. (gc.disable() called by another thread while a builder of this run runs Python code
 * would be undone by the resume: the GIL is held throughout otherwise.) */
static PyObject *
unpacker_records(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    Py_ssize_t start, max_len, n, i, len, pos;
    PyObject *payloads, *values = NULL, *sizes = NULL, *p, *v, *size, *result;
    int gc_was_on = 0;
    Ctx c;

    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, "records(payloads, start, max_len) takes exactly 3 arguments");
        return NULL;
    }
    payloads = args[0];
    if (!PyList_CheckExact(payloads)) {
        PyErr_SetString(PyExc_TypeError, "records() takes a list of payloads");
        return NULL;
    }
    start = PyLong_AsSsize_t(args[1]);
    if (start == -1 && PyErr_Occurred())
        return NULL;
    max_len = PyLong_AsSsize_t(args[2]);
    if (max_len == -1 && PyErr_Occurred())
        return NULL;
    if (start < 0) {
        PyErr_SetString(PyExc_IndexError, "negative start");
        return NULL;
    }
    values = PyList_New(0);
    sizes = PyList_New(0);
    if (values == NULL || sizes == NULL)
        goto fail;
    c.d = (Unpacker *)self;
    c.what = "value";
    n = PyList_GET_SIZE(payloads);
    gc_was_on = PyGC_Disable();
    for (i = start; i < n; i++) {
        p = PyList_GET_ITEM(payloads, i);
        if (!PyBytes_CheckExact(p))
            break;
        len = PyBytes_GET_SIZE(p);
        c.b = (const unsigned char *)PyBytes_AS_STRING(p);
        if (len < 3 || len > max_len || c.b[0] != 0xB1 || c.b[1] != 0x71)
            break;
        c.len = len;
        c.start = pos = 2;
        c.depth = 0;
        c.left = c.d->max_values - 1; /* the value itself counts */
        v = dec_top(&c, &pos);
        if (v == NULL) {
            if (!PyErr_ExceptionMatches(PyExc_Exception))
                goto fail; /* (not a decoding error: MemoryError stays, KeyboardInterrupt...) */
            PyErr_Clear();
            break;
        }
        if (pos != len || !PyList_CheckExact(v)) {
            Py_DECREF(v);
            break;
        }
        if (PyList_Append(values, v) < 0) {
            Py_DECREF(v);
            goto fail;
        }
        Py_DECREF(v);
        size = PyLong_FromSsize_t(len);
        if (size == NULL)
            goto fail;
        if (PyList_Append(sizes, size) < 0) {
            Py_DECREF(size);
            goto fail;
        }
        Py_DECREF(size);
    }
    if (gc_was_on)
        PyGC_Enable();
    result = PyTuple_New(2);
    if (result == NULL)
        goto fail;
    PyTuple_SET_ITEM(result, 0, values);
    PyTuple_SET_ITEM(result, 1, sizes);
    return result;
fail:
    if (gc_was_on && !PyGC_IsEnabled())
        PyGC_Enable();
    Py_XDECREF(values);
    Py_XDECREF(sizes);
    return NULL;
}

static PyMethodDef unpacker_methods[] = {
    {"whole", unpacker_whole, METH_O, "whole(data) -> value: exactly one value, no trailing bytes"},
    {"fields", (PyCFunction)(void (*)(void))unpacker_fields, METH_FASTCALL,
     "fields(data, pos, n) -> ([n values], end): a message's n fields, counted together against "
     "max_decoded_values"},
    {"records", (PyCFunction)(void (*)(void))unpacker_records, METH_FASTCALL,
     "records(payloads, start, max_len) -> ([values, ...], [size, ...]): the RECORDs of payloads "
     "from index start on, each decoded alone, up to the first other message"},
    {NULL, NULL, 0, NULL},
};

static void
unpacker_dealloc(PyObject *self)
{
    Unpacker *d = (Unpacker *)self;
    int i;

    for (i = 0; i < 128; i++) {
        Py_XDECREF(d->tags[i].pyfn);
        Py_XDECREF(d->tags[i].name);
    }
    Py_XDECREF(d->profile);
    Py_TYPE(self)->tp_free(self);
}

static PyObject *
unpacker_repr(PyObject *self)
{
    return PyUnicode_FromFormat("<asyncbolt C unpack for Bolt %U>", ((Unpacker *)self)->profile);
}

static PyTypeObject UnpackerType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "asyncbolt._generated._accel.Unpacker",
    .tp_basicsize = sizeof(Unpacker),
    .tp_dealloc = unpacker_dealloc,
    .tp_vectorcall_offset = offsetof(Unpacker, vectorcall),
    .tp_call = PyVectorcall_Call,
    .tp_repr = unpacker_repr,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_doc = "unpack(data, pos) -> (value, end): one PackStream value of one Bolt profile",
    .tp_methods = unpacker_methods,
};

/* ---- the client's result rows ------------------------------------------------------------ */

/* RecordBase(values, index): asyncbolt.client.result.Record's base when the accelerator is built
 * (the pure-Python base does the same): a row's values and the field -> position map, made and
 * read by [] without a Python frame, as every record of a result is. */
typedef struct {
    PyObject_HEAD
    PyObject *values;
    PyObject *index;
} RecordBase;

static PyObject *
record_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    RecordBase *self;
    PyObject *values, *index;

    if (kwds != NULL && PyDict_GET_SIZE(kwds)) {
        PyErr_SetString(PyExc_TypeError, "Record(values, index) takes no keyword arguments");
        return NULL;
    }
    if (!PyArg_UnpackTuple(args, "Record", 2, 2, &values, &index))
        return NULL;
    self = (RecordBase *)type->tp_alloc(type, 0);
    if (self == NULL)
        return NULL;
    Py_INCREF(values);
    self->values = values;
    Py_INCREF(index);
    self->index = index;
    return (PyObject *)self;
}

/* (a static type: subclasses' subtype_traverse/subtype_dealloc take care of their type) */
static int
record_traverse(RecordBase *self, visitproc visit, void *arg)
{
    Py_VISIT(self->values);
    Py_VISIT(self->index);
    return 0;
}

static int
record_clear(RecordBase *self)
{
    Py_CLEAR(self->values);
    Py_CLEAR(self->index);
    return 0;
}

static void
record_dealloc(RecordBase *self)
{
    PyObject_GC_UnTrack(self);
    record_clear(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* record[i] (any index or slice of the values) or record["field"]. */
static PyObject *
record_subscript(RecordBase *self, PyObject *key)
{
    PyObject *i, *fields, *text;

    if (self->values == NULL || self->index == NULL) {
        PyErr_SetString(PyExc_ValueError, "an empty Record");
        return NULL;
    }
    if (!PyUnicode_Check(key))
        return PyObject_GetItem(self->values, key);
    if (PyDict_CheckExact(self->index)) {
        i = PyDict_GetItemWithError(self->index, key); /* borrowed */
        if (i != NULL)
            return PyObject_GetItem(self->values, i);
        if (PyErr_Occurred())
            return NULL;
    }
    else {
        i = PyObject_GetItem(self->index, key);
        if (i != NULL) {
            PyObject *v = PyObject_GetItem(self->values, i);
            Py_DECREF(i);
            return v;
        }
        if (!PyErr_ExceptionMatches(PyExc_KeyError))
            return NULL;
        PyErr_Clear();
    }
    fields = PySequence_List(self->index);
    if (fields == NULL)
        return NULL;
    text = PyUnicode_FromFormat("no field %R; fields are %R", key, fields);
    Py_DECREF(fields);
    if (text == NULL)
        return NULL;
    PyErr_SetObject(PyExc_KeyError, text);
    Py_DECREF(text);
    return NULL;
}

static PyMappingMethods record_as_mapping = {
    .mp_subscript = (binaryfunc)record_subscript,
};

static PyMemberDef record_members[] = {
    {"_values", MEMBER_OBJECT_EX, offsetof(RecordBase, values), READONLY, "the values"},
    {"_index", MEMBER_OBJECT_EX, offsetof(RecordBase, index), READONLY, "field name -> position"},
    {NULL, 0, 0, 0, NULL},
};

static PyTypeObject RecordBaseType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "asyncbolt._generated._accel.RecordBase",
    .tp_basicsize = sizeof(RecordBase),
    .tp_dealloc = (destructor)record_dealloc,
    .tp_as_mapping = &record_as_mapping,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "RecordBase(values, index): a result row's values and its field -> position map",
    .tp_traverse = (traverseproc)record_traverse,
    .tp_clear = (inquiry)record_clear,
    .tp_members = record_members,
    .tp_new = record_new,
};

static PyObject *
make_unpack(PyObject *module, PyObject *args)
{
    PyObject *structs, *profile, *key, *entry;
    Unpacker *d;
    Py_ssize_t i = 0;
    int t;

    int max_depth = 256;
    PyObject *max_values_arg = NULL;
    Py_ssize_t max_values = 2000000;

    if (!PyArg_ParseTuple(args, "O!U|iO:make_unpack", &PyDict_Type, &structs, &profile, &max_depth,
                          &max_values_arg))
        return NULL;
    if (max_depth < 1) {
        PyErr_SetString(PyExc_ValueError, "max_depth must be at least 1");
        return NULL;
    }
    if (max_values_arg == Py_None)
        max_values = PY_SSIZE_T_MAX;
    else if (max_values_arg != NULL) {
        max_values = PyLong_AsSsize_t(max_values_arg);
        if (max_values == -1 && PyErr_Occurred())
            return NULL;
        if (max_values < 1) {
            PyErr_SetString(PyExc_ValueError, "max_decoded_values must be at least 1 (or None)");
            return NULL;
        }
    }
    if (!bound) {
        PyErr_SetString(PyExc_RuntimeError, "asyncbolt._accel.bind() was not called");
        return NULL;
    }
    d = PyObject_New(Unpacker, &UnpackerType);
    if (d == NULL)
        return NULL;
    d->vectorcall = unpacker_call;
    d->max_depth = max_depth;
    d->max_values = max_values;
    Py_INCREF(profile);
    d->profile = profile;
    for (t = 0; t < 128; t++) {
        d->tags[t].nfields = -1;
        d->tags[t].fn = NULL;
        d->tags[t].pyfn = NULL;
        d->tags[t].name = NULL;
    }
    d->profile_text = PyUnicode_AsUTF8(profile);
    if (d->profile_text == NULL)
        goto fail;
    for (t = 0; t < NGATED + 1; t++)
        d->allow[t] = 0;
    {
        PyObject *profiles = PyDict_GetItemString(Gated, "UUID");
        int r;
        if (profiles == NULL) {
            PyErr_SetString(PyExc_RuntimeError, "codec._GATED has no entry UUID");
            goto fail;
        }
        r = PySequence_Contains(profiles, profile);
        if (r < 0)
            goto fail;
        d->allow[G_UUID] = r;
    }
    while (PyDict_Next(structs, &i, &key, &entry)) {
        long tag = PyLong_AsLong(key);
        const Builder *bl;
        SEntry *e;
        if (tag == -1 && PyErr_Occurred())
            goto fail;
        if (tag < 0 || tag > 0x7F || !PyTuple_Check(entry) || PyTuple_GET_SIZE(entry) != 3) {
            PyErr_Format(PyExc_ValueError, "bad structure table entry for tag %ld", tag);
            goto fail;
        }
        e = &d->tags[tag];
        e->nfields = (int)PyLong_AsLong(PyTuple_GET_ITEM(entry, 0));
        if (e->nfields == -1 && PyErr_Occurred())
            goto fail;
        if (e->nfields < 0 || e->nfields > 16) {
            PyErr_Format(PyExc_ValueError, "bad field count for tag %ld", tag);
            goto fail;
        }
        e->pyfn = PyTuple_GET_ITEM(entry, 1);
        Py_INCREF(e->pyfn);
        e->name = PyTuple_GET_ITEM(entry, 2);
        Py_INCREF(e->name);
        for (bl = BUILDERS; bl->name != NULL; bl++) {
            if (*bl->py == e->pyfn) {
                e->fn = bl->fn;
                break;
            }
        }
    }
    return (PyObject *)d;
fail:
    Py_DECREF(d);
    return NULL;
}

/* ---- encoder ------------------------------------------------------------------------------ */

/* Output is gathered here and appended to the caller's bytearray at the end, and before any
 * Python code that may append to it itself runs. */
typedef struct {
    PyObject *out;
    unsigned char *buf;
    Py_ssize_t len, cap;
    int heap;
    unsigned char stack[1024];
} W;

static int
w_grow(W *w, Py_ssize_t k)
{
    Py_ssize_t cap = w->cap * 2;
    unsigned char *buf;

    if (cap < w->len + k)
        cap = w->len + k;
    if (w->heap) {
        buf = PyMem_Realloc(w->buf, (size_t)cap);
    }
    else {
        buf = PyMem_Malloc((size_t)cap);
        if (buf != NULL)
            memcpy(buf, w->buf, (size_t)w->len);
    }
    if (buf == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    w->buf = buf;
    w->cap = cap;
    w->heap = 1;
    return 0;
}

#define W_NEED(w, k) \
    do { if ((w)->cap - (w)->len < (k) && w_grow((w), (k)) < 0) return -1; } while (0)

static int
w_flush(W *w)
{
    Py_ssize_t old;

    if (w->len == 0)
        return 0;
    old = PyByteArray_GET_SIZE(w->out);
    if (PyByteArray_Resize(w->out, old + w->len) < 0)
        return -1;
    memcpy(PyByteArray_AS_STRING(w->out) + old, w->buf, (size_t)w->len);
    w->len = 0;
    return 0;
}

typedef struct {
    PyTypeObject *type;
    PyObject *header; /* bytes */
    PyObject *getter; /* value -> fields */
    int nfast;        /* > 0: getter is attrgetter of these slots, read directly */
    Py_ssize_t off[MAX_STRUCT_FIELDS + 1];
} PEntry;

typedef struct {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    PyObject *packers;
    PyObject *unavailable;
    PyObject *pack_other;
    Py_ssize_t nentries;
    PEntry *entries;
} Packer;

static int enc(Packer *pk, W *w, PyObject *v);

static int
w_string_header(W *w, Py_ssize_t n)
{
    if ((uint64_t)n < 0x10ULL) {
        W_NEED(w, 1);
        w->buf[w->len++] = (unsigned char)(0x80 + n);
    }
    else if ((uint64_t)n < 0x100ULL) {
        W_NEED(w, 2);
        w->buf[w->len] = 0xD0;
        w->buf[w->len + 1] = (unsigned char)n;
        w->len += 2;
    }
    else if ((uint64_t)n < 0x10000ULL) {
        W_NEED(w, 3);
        w->buf[w->len] = 0xD1;
        wr16(w->buf + w->len + 1, (uint16_t)n);
        w->len += 3;
    }
    else if ((uint64_t)n < 0x80000000ULL) {
        W_NEED(w, 5);
        w->buf[w->len] = 0xD2;
        wr32(w->buf + w->len + 1, (uint32_t)n);
        w->len += 5;
    }
    else {
        PyErr_Format(PyExc_ValueError, "string of size %zd exceeds the PackStream limit of %lld",
                     n, MAX_SIZE);
        return -1;
    }

    return 0;
}

static int
w_bytes_header(W *w, Py_ssize_t n)
{
    if ((uint64_t)n < 0x100ULL) {
        W_NEED(w, 2);
        w->buf[w->len] = 0xCC;
        w->buf[w->len + 1] = (unsigned char)n;
        w->len += 2;
    }
    else if ((uint64_t)n < 0x10000ULL) {
        W_NEED(w, 3);
        w->buf[w->len] = 0xCD;
        wr16(w->buf + w->len + 1, (uint16_t)n);
        w->len += 3;
    }
    else if ((uint64_t)n < 0x80000000ULL) {
        W_NEED(w, 5);
        w->buf[w->len] = 0xCE;
        wr32(w->buf + w->len + 1, (uint32_t)n);
        w->len += 5;
    }
    else {
        PyErr_Format(PyExc_ValueError, "bytes of size %zd exceeds the PackStream limit of %lld",
                     n, MAX_SIZE);
        return -1;
    }

    return 0;
}

static int
w_list_header(W *w, Py_ssize_t n)
{
    if ((uint64_t)n < 0x10ULL) {
        W_NEED(w, 1);
        w->buf[w->len++] = (unsigned char)(0x90 + n);
    }
    else if ((uint64_t)n < 0x100ULL) {
        W_NEED(w, 2);
        w->buf[w->len] = 0xD4;
        w->buf[w->len + 1] = (unsigned char)n;
        w->len += 2;
    }
    else if ((uint64_t)n < 0x10000ULL) {
        W_NEED(w, 3);
        w->buf[w->len] = 0xD5;
        wr16(w->buf + w->len + 1, (uint16_t)n);
        w->len += 3;
    }
    else if ((uint64_t)n < 0x80000000ULL) {
        W_NEED(w, 5);
        w->buf[w->len] = 0xD6;
        wr32(w->buf + w->len + 1, (uint32_t)n);
        w->len += 5;
    }
    else {
        PyErr_Format(PyExc_ValueError, "list of size %zd exceeds the PackStream limit of %lld",
                     n, MAX_SIZE);
        return -1;
    }

    return 0;
}

static int
w_map_header(W *w, Py_ssize_t n)
{
    if ((uint64_t)n < 0x10ULL) {
        W_NEED(w, 1);
        w->buf[w->len++] = (unsigned char)(0xA0 + n);
    }
    else if ((uint64_t)n < 0x100ULL) {
        W_NEED(w, 2);
        w->buf[w->len] = 0xD8;
        w->buf[w->len + 1] = (unsigned char)n;
        w->len += 2;
    }
    else if ((uint64_t)n < 0x10000ULL) {
        W_NEED(w, 3);
        w->buf[w->len] = 0xD9;
        wr16(w->buf + w->len + 1, (uint16_t)n);
        w->len += 3;
    }
    else if ((uint64_t)n < 0x80000000ULL) {
        W_NEED(w, 5);
        w->buf[w->len] = 0xDA;
        wr32(w->buf + w->len + 1, (uint32_t)n);
        w->len += 5;
    }
    else {
        PyErr_Format(PyExc_ValueError, "map of size %zd exceeds the PackStream limit of %lld",
                     n, MAX_SIZE);
        return -1;
    }

    return 0;
}

static int
w_raw(W *w, const void *p, Py_ssize_t n)
{
    W_NEED(w, n);
    memcpy(w->buf + w->len, p, (size_t)n);
    w->len += n;
    return 0;
}

static int
enc_str(W *w, PyObject *v)
{
    PyObject *utf8;
    int r;

    if (PyUnicode_IS_COMPACT_ASCII(v)) {
        Py_ssize_t n = PyUnicode_GET_LENGTH(v);
        if (w_string_header(w, n) < 0)
            return -1;
        return w_raw(w, PyUnicode_DATA(v), n);
    }
    utf8 = PyUnicode_AsUTF8String(v); /* strict, like str.encode() */
    if (utf8 == NULL)
        return -1;
    r = w_string_header(w, PyBytes_GET_SIZE(utf8));
    if (r == 0)
        r = w_raw(w, PyBytes_AS_STRING(utf8), PyBytes_GET_SIZE(utf8));
    Py_DECREF(utf8);
    return r;
}

static int
w_ll(W *w, long long x)
{
    W_NEED(w, 9);
    if (x >= -16 && x <= 127) {
        w->buf[w->len++] = (unsigned char)(x & 0xFF);
    }
    else if (x >= -128LL && x <= 127LL) {
        w->buf[w->len] = 0xC8;
        w->buf[w->len + 1] = (unsigned char)(x & 0xFF);
        w->len += 2;
    }
    else if (x >= -32768LL && x <= 32767LL) {
        w->buf[w->len] = 0xC9;
        wr16(w->buf + w->len + 1, (uint16_t)(int16_t)x);
        w->len += 3;
    }
    else if (x >= -2147483648LL && x <= 2147483647LL) {
        w->buf[w->len] = 0xCA;
        wr32(w->buf + w->len + 1, (uint32_t)(int32_t)x);
        w->len += 5;
    }
    else {
        w->buf[w->len] = 0xCB;
        wr64(w->buf + w->len + 1, (uint64_t)x);
        w->len += 9;
    }
    return 0;
}

static int
enc_int(W *w, PyObject *v)
{
    int overflow;
    long long x = PyLong_AsLongLongAndOverflow(v, &overflow);

    if (overflow) {
        PyErr_Format(PyExc_ValueError, "integer %S is outside the PackStream range (64-bit signed)", v);
        return -1;
    }
    if (x == -1 && PyErr_Occurred())
        return -1;
    return w_ll(w, x);
}

/* codec._pack_other(pack, value, out, unavailable): everything off the hot path. */
static int
enc_other(Packer *pk, W *w, PyObject *v)
{
    PyObject *args[4], *r;

    if (w->out == NULL) { /* to_bytes(): Python code needs a bytearray to append to */
        w->out = PyByteArray_FromStringAndSize(NULL, 0);
        if (w->out == NULL)
            return -1;
    }
    if (w_flush(w) < 0)
        return -1;
    args[0] = (PyObject *)pk;
    args[1] = v;
    args[2] = w->out;
    args[3] = pk->unavailable;
    r = PyObject_Vectorcall(pk->pack_other, args, 4, NULL);
    if (r == NULL)
        return -1;
    Py_DECREF(r);
    return 0;
}

static int
enc_items(Packer *pk, W *w, PyObject *iterable)
{
    PyObject *it = PyObject_GetIter(iterable), *item;

    if (it == NULL)
        return -1;
    while ((item = PyIter_Next(it)) != NULL) {
        int r = enc(pk, w, item);
        Py_DECREF(item);
        if (r < 0) {
            Py_DECREF(it);
            return -1;
        }
    }
    Py_DECREF(it);
    return PyErr_Occurred() ? -1 : 0;
}

static int
enc_struct(Packer *pk, W *w, PyObject *v, const PEntry *e)
{
    PyObject *items[MAX_STRUCT_FIELDS + 1], *fields;
    int i, r = 0;

    if (e->nfast > 0) {
        for (i = 0; i < e->nfast; i++) {
            items[i] = *(PyObject **)((char *)v + e->off[i]);
            if (items[i] == NULL)
                goto slow; /* an unset slot: the getter raises AttributeError */
        }
        for (i = 0; i < e->nfast; i++)
            Py_INCREF(items[i]);
        r = w_raw(w, PyBytes_AS_STRING(e->header), PyBytes_GET_SIZE(e->header));
        for (i = 0; i < e->nfast; i++) {
            if (r == 0)
                r = enc(pk, w, items[i]);
            Py_DECREF(items[i]);
        }
        return r;
    }
slow:
    if (w_raw(w, PyBytes_AS_STRING(e->header), PyBytes_GET_SIZE(e->header)) < 0)
        return -1;
    fields = PyObject_CallOneArg(e->getter, v);
    if (fields == NULL)
        return -1;
    r = enc_items(pk, w, fields);
    Py_DECREF(fields);
    return r;
}

static int
enc_map(Packer *pk, W *w, PyObject *v)
{
    Py_ssize_t n = PyDict_GET_SIZE(v), i = 0;
    PyObject *k, *item;
    int r = 0;

    if (w_map_header(w, n) < 0)
        return -1;
    while (PyDict_Next(v, &i, &k, &item)) {
        Py_INCREF(k);
        Py_INCREF(item);
        if (PyUnicode_CheckExact(k)) {
            r = enc_str(w, k);
        }
        else if (PyUnicode_Check(k)) {
            PyObject *s = PyObject_Str(k);
            r = s == NULL ? -1 : enc(pk, w, s);
            Py_XDECREF(s);
        }
        else {
            PyObject *tname = PyObject_GetAttrString((PyObject *)Py_TYPE(k), "__name__");
            if (tname != NULL) {
                PyErr_Format(PyExc_TypeError, "map keys must be strings, found %U %R", tname, k);
                Py_DECREF(tname);
            }
            r = -1;
        }
        if (r == 0)
            r = enc(pk, w, item);
        Py_DECREF(k);
        Py_DECREF(item);
        if (r < 0)
            return -1;
        if (PyDict_GET_SIZE(v) != n) {
            PyErr_SetString(PyExc_RuntimeError, "dictionary changed size during iteration");
            return -1;
        }
    }
    return 0;
}

static int
enc_container(Packer *pk, W *w, PyObject *v, PyTypeObject *t, const PEntry *e)
{
    Py_ssize_t i;
    int r = 0;

    if (Py_EnterRecursiveCall(" while encoding PackStream"))
        return -1;
    if (t == &PyDict_Type) {
        r = enc_map(pk, w, v);
    }
    else if (t == &PyList_Type) {
        r = w_list_header(w, PyList_GET_SIZE(v));
        for (i = 0; r == 0 && i < PyList_GET_SIZE(v); i++) {
            PyObject *item = PyList_GET_ITEM(v, i);
            Py_INCREF(item);
            r = enc(pk, w, item);
            Py_DECREF(item);
        }
    }
    else if (t == &PyTuple_Type) {
        r = w_list_header(w, PyTuple_GET_SIZE(v));
        for (i = 0; r == 0 && i < PyTuple_GET_SIZE(v); i++)
            r = enc(pk, w, PyTuple_GET_ITEM(v, i));
    }
    else {
        r = enc_struct(pk, w, v, e);
    }
    Py_LeaveRecursiveCall();
    return r;
}

static int
enc(Packer *pk, W *w, PyObject *v)
{
    PyTypeObject *t = Py_TYPE(v);
    Py_ssize_t i;

    if (t == &PyUnicode_Type)
        return enc_str(w, v);
    if (t == &PyLong_Type)
        return enc_int(w, v);
    if (v == Py_None) {
        W_NEED(w, 1);
        w->buf[w->len++] = 0xC0;
        return 0;
    }
    if (t == &PyFloat_Type) {
        double x = PyFloat_AS_DOUBLE(v);
        uint64_t u;
        memcpy(&u, &x, 8);
        W_NEED(w, 9);
        w->buf[w->len] = 0xC1;
        wr64(w->buf + w->len + 1, u);
        w->len += 9;
        return 0;
    }
    if (t == &PyDict_Type || t == &PyList_Type || t == &PyTuple_Type)
        return enc_container(pk, w, v, t, NULL);
    if (t == &PyBool_Type) {
        W_NEED(w, 1);
        w->buf[w->len++] = v == Py_True ? 0xC3 : 0xC2;
        return 0;
    }
    for (i = 0; i < pk->nentries; i++) {
        if (pk->entries[i].type == t)
            return enc_container(pk, w, v, t, &pk->entries[i]);
    }
    if (t == &PyBytes_Type) {
        if (w_bytes_header(w, PyBytes_GET_SIZE(v)) < 0)
            return -1;
        return w_raw(w, PyBytes_AS_STRING(v), PyBytes_GET_SIZE(v));
    }
    if (t == &PyByteArray_Type || t == &PyMemoryView_Type) {
        Py_buffer view;
        int r;
        if (t == &PyMemoryView_Type) { /* v.nbytes first: a released view raises ValueError */
            PyObject *nbytes = PyObject_GetAttrString(v, "nbytes");
            if (nbytes == NULL)
                return -1;
            Py_DECREF(nbytes);
        }
        if (PyObject_GetBuffer(v, &view, PyBUF_SIMPLE) < 0) {
            /* as `out += v` reports a view it cannot append (not C-contiguous) */
            PyErr_Clear();
            PyErr_Format(PyExc_TypeError, "can't concat %.100s to bytearray", t->tp_name);
            return -1;
        }
        r = w_bytes_header(w, view.len);
        if (r == 0)
            r = w_raw(w, view.buf, view.len);
        PyBuffer_Release(&view);
        return r;
    }
    return enc_other(pk, w, v);
}

static PyObject *
packer_call(PyObject *self, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    W w;
    int r;

    if (nargs != 2 || (kwnames != NULL && PyTuple_GET_SIZE(kwnames))) {
        PyErr_SetString(PyExc_TypeError, "pack(value, out) takes exactly 2 positional arguments");
        return NULL;
    }
    if (!PyByteArray_Check(args[1])) {
        PyErr_Format(PyExc_TypeError, "pack() needs a bytearray to append to, not %.100s",
                     Py_TYPE(args[1])->tp_name);
        return NULL;
    }
    w.out = args[1];
    w.buf = w.stack;
    w.len = 0;
    w.cap = (Py_ssize_t)sizeof(w.stack);
    w.heap = 0;
    r = enc((Packer *)self, &w, args[0]);
    if (r == 0) {
        r = w_flush(&w);
    }
    else {
        /* Keep what was written, as the Python encoder does, without hiding the error. */
        PyObject *type, *value, *tb;
        PyErr_Fetch(&type, &value, &tb);
        if (w_flush(&w) < 0)
            PyErr_Clear();
        PyErr_Restore(type, value, tb);
    }
    if (w.heap)
        PyMem_Free(w.buf);
    if (r < 0)
        return NULL;
    Py_RETURN_NONE;
}

/* pack.to_bytes(value) -> bytes (Codec.pack). */
static PyObject *
packer_to_bytes(PyObject *self, PyObject *value)
{
    PyObject *result = NULL;
    W w;

    w.out = NULL;
    w.buf = w.stack;
    w.len = 0;
    w.cap = (Py_ssize_t)sizeof(w.stack);
    w.heap = 0;
    if (enc((Packer *)self, &w, value) == 0) {
        if (w.out == NULL)
            result = PyBytes_FromStringAndSize((const char *)w.buf, w.len);
        else if (w_flush(&w) == 0)
            result = PyBytes_FromStringAndSize(PyByteArray_AS_STRING(w.out), PyByteArray_GET_SIZE(w.out));
    }
    Py_XDECREF(w.out);
    if (w.heap)
        PyMem_Free(w.buf);
    return result;
}

/* ---- bulk parameters: columns packed from their buffers ----------------------------------- */

/* pack.columns(parts, keys, out): the fast path of asyncbolt.codec.bulk. parts is a list of
 * (rows, (column, ...)); keys None packs one list of the values of each part's single column,
 * keys a tuple of encoded strings packs one list of maps (a row: key i -> column i's value).
 * A column is the tuple asyncbolt.codec.bulk._col builds (kind, length, offset, validity,
 * validity kind, buffer 0, buffer 1, int width, param, zone mode, zone offset, flags, obj,
 * structure header, children, name); its buffers are read through the buffer protocol and
 * every read is checked against their sizes. asyncbolt.codec._bulk_pure gives the same bytes. */
enum {
    BK_NULL, BK_I8, BK_I16, BK_I32, BK_I64, BK_U8, BK_U16, BK_U32, BK_U64, BK_F32, BK_F64,
    BK_BOOL8, BK_BOOLBIT, BK_STR32, BK_STR64, BK_BIN32, BK_BIN64, BK_DATE32, BK_DATE64, BK_TIME,
    BK_TS, BK_DUR, BK_MDN, BK_LIST32, BK_LIST64, BK_FIXLIST, BK_STRUCT, BK_MAP32, BK_DICT, BK_OBJ,
    BK_UCS4, BK_BYTESN, BK_NKINDS
};
/* bytes per element of buffer 0 (0: no fixed-width buffer 0) */
static const int BK_WIDTH[BK_NKINDS] = {
    0, 1, 2, 4, 8, 1, 2, 4, 8, 4, 8,
    1, 0, 4, 8, 4, 8, 4, 8, 0,
    8, 8, 16, 4, 8, 0, 0, 4, 0, 0,
    0, 0, /* ucs4, bytesn: param code points / bytes per element */
};
#define BK_NAT_IS_NULL 1
#define BK_MAX_DEPTH 64
#define BK_INT64_MIN (-9223372036854775807LL - 1)

typedef struct BkCol {
    int kind, vkind, iw, tzmode, flags;
    Py_ssize_t len, off, nchild;
    long long param, tzoff;
    Py_buffer valid, b0, b1;        /* .obj NULL when absent */
    PyObject *obj, *hdr, *name;     /* borrowed from the description, which the caller holds */
    struct BkCol *child;
} BkCol;

static void
bk_free(BkCol *c)
{
    Py_ssize_t i;

    if (c->valid.obj != NULL)
        PyBuffer_Release(&c->valid);
    if (c->b0.obj != NULL)
        PyBuffer_Release(&c->b0);
    if (c->b1.obj != NULL)
        PyBuffer_Release(&c->b1);
    if (c->child != NULL) {
        for (i = 0; i < c->nchild; i++)
            bk_free(&c->child[i]);
        PyMem_Free(c->child);
        c->child = NULL;
    }
}

static int
bk_bad(BkCol *c, const char *what)
{
    PyErr_Format(PyExc_ValueError, "column %R: %s", c->name, what);
    return -1;
}

static int
bk_buffer(PyObject *o, Py_buffer *view)
{
    if (o == Py_None)
        return 0;
    return PyObject_GetBuffer(o, view, PyBUF_SIMPLE);
}

static int
bk_parse(PyObject *d, BkCol *c, int depth)
{
    PyObject *valid, *b0, *b1, *children;
    Py_ssize_t i, end;
    int w;

    memset(c, 0, sizeof(*c));
    if (depth > BK_MAX_DEPTH) {
        PyErr_SetString(PyExc_ValueError, "bulk column nested too deeply");
        return -1;
    }
    if (!PyTuple_Check(d) || PyTuple_GET_SIZE(d) != 16) {
        PyErr_SetString(PyExc_TypeError, "a bulk column is a 16-tuple (asyncbolt.codec.bulk._col)");
        return -1;
    }
    if (!PyArg_ParseTuple(d, "innOiOOiLiLiOOOO:column", &c->kind, &c->len, &c->off, &valid,
                          &c->vkind, &b0, &b1, &c->iw, &c->param, &c->tzmode, &c->tzoff, &c->flags,
                          &c->obj, &c->hdr, &children, &c->name))
        return -1;
    if (c->kind < 0 || c->kind >= BK_NKINDS || c->len < 0 || c->off < 0 || c->vkind < 0 || c->vkind > 2
            || !PyTuple_Check(children) || (c->hdr != Py_None && !PyBytes_Check(c->hdr))) {
        PyErr_SetString(PyExc_ValueError, "malformed bulk column description");
        return -1;
    }
    if (bk_buffer(c->vkind ? valid : Py_None, &c->valid) < 0 || bk_buffer(b0, &c->b0) < 0
            || bk_buffer(b1, &c->b1) < 0)
        return -1;
    if (c->off > PY_SSIZE_T_MAX / 32 || c->len > PY_SSIZE_T_MAX / 32)
        return bk_bad(c, "too many values");
    end = c->off + c->len;
    if (c->vkind == 1 && c->len > 0 && (c->valid.obj == NULL || c->valid.len < (end + 7) / 8))
        return bk_bad(c, "validity bitmap shorter than the values");
    if (c->vkind == 2 && c->len > 0 && (c->valid.obj == NULL || c->valid.len < end))
        return bk_bad(c, "missing-value mask shorter than the values");
    w = BK_WIDTH[c->kind];
    if (c->kind == BK_TIME) {
        if (c->iw != 4 && c->iw != 8)
            return bk_bad(c, "time values are 4 or 8 bytes");
        w = c->iw;
    }
    if (c->kind == BK_BOOLBIT && c->len > 0 && (c->b0.obj == NULL || c->b0.len < (end + 7) / 8))
        return bk_bad(c, "bool bitmap shorter than the values");
    if (w > 0 && c->len > 0) {
        /* offsets (strings, lists, maps) have one more element than the values */
        int offsets = c->kind == BK_STR32 || c->kind == BK_STR64 || c->kind == BK_BIN32
            || c->kind == BK_BIN64 || c->kind == BK_LIST32 || c->kind == BK_LIST64 || c->kind == BK_MAP32;
        if (c->b0.obj == NULL || c->b0.len / w < end + offsets)
            return bk_bad(c, "data buffer shorter than the values");
    }
    if ((c->kind >= BK_STR32 && c->kind <= BK_BIN64) && c->len > 0 && c->b1.obj == NULL)
        return bk_bad(c, "string data buffer missing");
    if (c->kind >= BK_DATE32 && c->kind <= BK_MDN && (c->hdr == Py_None || PyBytes_GET_SIZE(c->hdr) < 2))
        return bk_bad(c, "temporal column without a structure header");
    if ((c->kind == BK_TIME || c->kind == BK_TS || c->kind == BK_DUR)
            && c->param != 1 && c->param != 1000 && c->param != 1000000 && c->param != 1000000000LL)
        return bk_bad(c, "unit is not s, ms, us or ns");
    if (c->kind == BK_TS && c->tzmode == 2 && !PyUnicode_Check(c->obj))
        return bk_bad(c, "zone name missing");
    if (c->kind == BK_FIXLIST && (c->param < 0 || c->param > PY_SSIZE_T_MAX / 64))
        return bk_bad(c, "bad list size");
    if (c->kind == BK_UCS4 || c->kind == BK_BYTESN) {
        Py_ssize_t item = c->kind == BK_UCS4 ? 4 : 1;
        if (c->param < 0 || c->param > PY_SSIZE_T_MAX / 64 / item
                || (c->len > 0 && (c->b0.obj == NULL || (c->param > 0 && c->b0.len / (c->param * item) < end))))
            return bk_bad(c, "data buffer shorter than the values");
    }
    if (c->kind == BK_OBJ && (!PyList_Check(c->obj) || PyList_GET_SIZE(c->obj) < end))
        return bk_bad(c, "object values missing");
    c->nchild = PyTuple_GET_SIZE(children);
    if (c->nchild > 0) {
        c->child = PyMem_Calloc((size_t)c->nchild, sizeof(BkCol));
        if (c->child == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        for (i = 0; i < c->nchild; i++) {
            if (bk_parse(PyTuple_GET_ITEM(children, i), &c->child[i], depth + 1) < 0)
                return -1;
        }
    }
    if (((c->kind == BK_LIST32 || c->kind == BK_LIST64 || c->kind == BK_FIXLIST || c->kind == BK_MAP32)
             && c->nchild != 1)
            || (c->kind == BK_DICT && c->nchild != 2)
            || (c->kind == BK_STRUCT && (!PyTuple_Check(c->obj) || PyTuple_GET_SIZE(c->obj) != c->nchild)))
        return bk_bad(c, "wrong number of child columns");
    if (c->kind == BK_STRUCT) {
        for (i = 0; i < c->nchild; i++) {
            if (!PyBytes_Check(PyTuple_GET_ITEM(c->obj, i)))
                return bk_bad(c, "struct field names must be encoded");
            if (c->child[i].len < c->len)
                return bk_bad(c, "struct field shorter than the struct");
        }
    }
    if (c->kind == BK_MAP32) {
        BkCol *kv = &c->child[0];
        if (kv->kind != BK_STRUCT || kv->nchild != 2 || kv->child[0].len < kv->len || kv->child[1].len < kv->len)
            return bk_bad(c, "map entries must be a struct of keys and values");
        if (kv->child[0].kind != BK_STR32 && kv->child[0].kind != BK_STR64)
            return bk_bad(c, "map keys must be strings");
    }
    if (c->kind == BK_DICT && (c->child[0].kind < BK_I8 || c->child[0].kind > BK_U64 || c->child[0].len < c->len))
        return bk_bad(c, "dictionary indices must be integers");
    return 0;
}

#define BK_RD(type, c, j) (*(const type *)memcpy(&(type){0}, (const char *)(c)->b0.buf + (size_t)(j) * sizeof(type), sizeof(type)))

/* the integer at element j of an integer column; -1 with an error when it exceeds int64 */
static int
bk_int(BkCol *c, Py_ssize_t j, long long *x)
{
    switch (c->kind) {
    case BK_I8: *x = BK_RD(int8_t, c, j); return 0;
    case BK_I16: *x = BK_RD(int16_t, c, j); return 0;
    case BK_I32: *x = BK_RD(int32_t, c, j); return 0;
    case BK_I64: *x = BK_RD(int64_t, c, j); return 0;
    case BK_U8: *x = BK_RD(uint8_t, c, j); return 0;
    case BK_U16: *x = BK_RD(uint16_t, c, j); return 0;
    case BK_U32: *x = BK_RD(uint32_t, c, j); return 0;
    default: {
        uint64_t u = BK_RD(uint64_t, c, j);
        if (u > (uint64_t)INT64_MAX) {
            PyErr_Format(PyExc_ValueError,
                         "column %R: integer %llu is outside the PackStream range (64-bit signed)",
                         c->name, (unsigned long long)u);
            return -1;
        }
        *x = (long long)u;
        return 0;
    }
    }
}

static inline long long
bk_floordiv(long long t, long long d, long long *rem)
{
    long long q = t / d, r = t % d;
    if (r < 0) {
        q--;
        r += d;
    }
    *rem = r;
    return q;
}

static inline int
bk_null(W *w)
{
    W_NEED(w, 1);
    w->buf[w->len++] = 0xC0;
    return 0;
}

static inline int
bk_float(W *w, double x)
{
    uint64_t u;
    memcpy(&u, &x, 8);
    W_NEED(w, 9);
    w->buf[w->len] = 0xC1;
    wr64(w->buf + w->len + 1, u);
    w->len += 9;
    return 0;
}

static int bk_value(Packer *pk, W *w, BkCol *c, Py_ssize_t i);

static int
bk_offsets(BkCol *c, Py_ssize_t j, Py_ssize_t limit, Py_ssize_t *o0, Py_ssize_t *o1)
{
    long long a, b;

    if (c->kind == BK_STR32 || c->kind == BK_BIN32 || c->kind == BK_LIST32 || c->kind == BK_MAP32) {
        a = BK_RD(int32_t, c, j);
        b = BK_RD(int32_t, c, j + 1);
    }
    else {
        a = BK_RD(int64_t, c, j);
        b = BK_RD(int64_t, c, j + 1);
    }
    if (a < 0 || a > b || b > (long long)limit) {
        PyErr_Format(PyExc_ValueError, "column %R: offsets %lld..%lld outside the %zd values",
                     c->name, a, b, limit);
        return -1;
    }
    *o0 = (Py_ssize_t)a;
    *o1 = (Py_ssize_t)b;
    return 0;
}

static int
bk_range(Packer *pk, W *w, BkCol *child, Py_ssize_t o0, Py_ssize_t o1)
{
    Py_ssize_t k;

    if (w_list_header(w, o1 - o0) < 0)
        return -1;
    for (k = o0; k < o1; k++) {
        if (bk_value(pk, w, child, k) < 0)
            return -1;
    }
    return 0;
}

static int
bk_hdr(W *w, BkCol *c)
{
    return w_raw(w, PyBytes_AS_STRING(c->hdr), PyBytes_GET_SIZE(c->hdr));
}

static int
bk_temporal(W *w, BkCol *c, Py_ssize_t j)
{
    long long t, s, rem, d;

    if (c->kind == BK_DATE32) {
        t = BK_RD(int32_t, c, j);
        return bk_hdr(w, c) < 0 ? -1 : w_ll(w, t);
    }
    if (c->kind == BK_MDN) {
        int32_t mo = BK_RD(int32_t, c, 4 * j), days = BK_RD(int32_t, c, 4 * j + 1);
        long long ns = BK_RD(int64_t, c, 2 * j + 1);
        s = bk_floordiv(ns, 1000000000LL, &rem);
        if (bk_hdr(w, c) < 0 || w_ll(w, mo) < 0 || w_ll(w, days) < 0 || w_ll(w, s) < 0)
            return -1;
        return w_ll(w, rem);
    }
    t = c->kind == BK_TIME && c->iw == 4 ? BK_RD(int32_t, c, j) : BK_RD(int64_t, c, j);
    if (t == BK_INT64_MIN && (c->flags & BK_NAT_IS_NULL))
        return bk_null(w);
    if (c->kind == BK_DATE64)
        return bk_hdr(w, c) < 0 ? -1 : w_ll(w, bk_floordiv(t, 86400000LL, &rem));
    if (c->kind == BK_TIME) { /* a time of day; a corrupt one must not overflow */
        long long mult = 1000000000LL / c->param;
        if (t > INT64_MAX / mult || t < -(INT64_MAX / mult)) {
            PyErr_Format(PyExc_ValueError, "column %R: time %lld in nanoseconds is outside the "
                         "PackStream range (64-bit signed)", c->name, t);
            return -1;
        }
        return bk_hdr(w, c) < 0 ? -1 : w_ll(w, t * mult);
    }
    s = bk_floordiv(t, c->param, &rem);
    rem *= 1000000000LL / c->param;
    if (bk_hdr(w, c) < 0)
        return -1;
    if (c->kind == BK_DUR) {
        d = bk_floordiv(s, 86400, &s);
        if (w_ll(w, 0) < 0 || w_ll(w, d) < 0 || w_ll(w, s) < 0)
            return -1;
        return w_ll(w, rem);
    }
    if (w_ll(w, s) < 0 || w_ll(w, rem) < 0)
        return -1;
    if (c->tzmode == 1)
        return w_ll(w, c->tzoff);
    if (c->tzmode == 2)
        return enc_str(w, c->obj);
    return 0;
}

/* a numpy str_ element: UCS-4 code points, NUL-padded, to a UTF-8 String */
static int
bk_ucs4(W *w, BkCol *c, Py_ssize_t i, Py_ssize_t j)
{
    const unsigned char *p = (const unsigned char *)c->b0.buf + j * 4 * c->param;
    Py_ssize_t n = (Py_ssize_t)c->param, k, size = 0;
    uint32_t cp;

    while (n > 0 && (memcpy(&cp, p + 4 * (n - 1), 4), cp == 0))
        n--;
    for (k = 0; k < n; k++) {
        memcpy(&cp, p + 4 * k, 4);
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            PyErr_Format(PyExc_ValueError, "column %R: element %zd holds a surrogate or a code "
                         "point beyond U+10FFFF, which UTF-8 cannot encode", c->name, i);
            return -1;
        }
        size += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    }
    if (w_string_header(w, size) < 0)
        return -1;
    W_NEED(w, size);
    for (k = 0; k < n; k++) {
        unsigned char *o = w->buf + w->len;
        memcpy(&cp, p + 4 * k, 4);
        if (cp < 0x80) {
            o[0] = (unsigned char)cp;
            w->len += 1;
        }
        else if (cp < 0x800) {
            o[0] = (unsigned char)(0xC0 | (cp >> 6));
            o[1] = (unsigned char)(0x80 | (cp & 0x3F));
            w->len += 2;
        }
        else if (cp < 0x10000) {
            o[0] = (unsigned char)(0xE0 | (cp >> 12));
            o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
            o[2] = (unsigned char)(0x80 | (cp & 0x3F));
            w->len += 3;
        }
        else {
            o[0] = (unsigned char)(0xF0 | (cp >> 18));
            o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
            o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
            o[3] = (unsigned char)(0x80 | (cp & 0x3F));
            w->len += 4;
        }
    }
    return 0;
}

/* element i (0 <= i < len, before the column's offset) of a column */
static int
bk_value(Packer *pk, W *w, BkCol *c, Py_ssize_t i)
{
    Py_ssize_t j = c->off + i, o0, o1, k;
    long long x;
    const unsigned char *v = (const unsigned char *)c->valid.buf;

    if (i < 0 || i >= c->len)
        return bk_bad(c, "index outside the column");
    if ((c->vkind == 1 && !((v[j >> 3] >> (j & 7)) & 1)) || (c->vkind == 2 && v[j]))
        return bk_null(w);
    switch (c->kind) {
    case BK_NULL:
        return bk_null(w);
    case BK_I8: case BK_I16: case BK_I32: case BK_I64:
    case BK_U8: case BK_U16: case BK_U32: case BK_U64:
        if (bk_int(c, j, &x) < 0)
            return -1;
        return w_ll(w, x);
    case BK_F32:
        return bk_float(w, (double)BK_RD(float, c, j));
    case BK_F64:
        return bk_float(w, BK_RD(double, c, j));
    case BK_BOOL8:
    case BK_BOOLBIT: {
        int b = c->kind == BK_BOOL8 ? ((const unsigned char *)c->b0.buf)[j] != 0
                                    : (((const unsigned char *)c->b0.buf)[j >> 3] >> (j & 7)) & 1;
        W_NEED(w, 1);
        w->buf[w->len++] = b ? 0xC3 : 0xC2;
        return 0;
    }
    case BK_STR32: case BK_STR64: case BK_BIN32: case BK_BIN64:
        if (bk_offsets(c, j, c->b1.len, &o0, &o1) < 0)
            return -1;
        if ((c->kind <= BK_STR64 ? w_string_header(w, o1 - o0) : w_bytes_header(w, o1 - o0)) < 0)
            return -1;
        return w_raw(w, (const char *)c->b1.buf + o0, o1 - o0);
    case BK_DATE32: case BK_DATE64: case BK_TIME: case BK_TS: case BK_DUR: case BK_MDN:
        return bk_temporal(w, c, j);
    case BK_LIST32: case BK_LIST64:
        if (bk_offsets(c, j, c->child[0].len, &o0, &o1) < 0)
            return -1;
        return bk_range(pk, w, &c->child[0], o0, o1);
    case BK_FIXLIST:
        if (c->param > 0 && (j + 1) > c->child[0].len / c->param)
            return bk_bad(c, "fixed-size lists longer than their values");
        return bk_range(pk, w, &c->child[0], j * c->param, (j + 1) * c->param);
    case BK_STRUCT:
        if (w_map_header(w, c->nchild) < 0)
            return -1;
        for (k = 0; k < c->nchild; k++) {
            PyObject *key = PyTuple_GET_ITEM(c->obj, k);
            if (w_raw(w, PyBytes_AS_STRING(key), PyBytes_GET_SIZE(key)) < 0
                    || bk_value(pk, w, &c->child[k], i) < 0)
                return -1;
        }
        return 0;
    case BK_MAP32: {
        BkCol *kv = &c->child[0], *keys = &kv->child[0], *vals = &kv->child[1];
        if (bk_offsets(c, j, kv->len, &o0, &o1) < 0 || w_map_header(w, o1 - o0) < 0)
            return -1;
        for (k = o0; k < o1; k++) {
            Py_ssize_t kj = keys->off + k;
            const unsigned char *kvalid = (const unsigned char *)keys->valid.buf;
            if ((keys->vkind == 1 && !((kvalid[kj >> 3] >> (kj & 7)) & 1)) || (keys->vkind == 2 && kvalid[kj]))
                return bk_bad(c, "a map key is null");
            if (bk_value(pk, w, keys, k) < 0 || bk_value(pk, w, vals, k) < 0)
                return -1;
        }
        return 0;
    }
    case BK_DICT: {
        BkCol *idx = &c->child[0];
        Py_ssize_t ij = idx->off + i;
        const unsigned char *ivalid = (const unsigned char *)idx->valid.buf;
        if ((idx->vkind == 1 && !((ivalid[ij >> 3] >> (ij & 7)) & 1)) || (idx->vkind == 2 && ivalid[ij]))
            return bk_null(w);
        if (bk_int(idx, ij, &x) < 0)
            return -1;
        if (x < 0)
            return bk_null(w);
        if (x >= c->child[1].len) {
            PyErr_Format(PyExc_ValueError, "column %R: dictionary index %lld out of range", c->name, x);
            return -1;
        }
        return bk_value(pk, w, &c->child[1], (Py_ssize_t)x);
    }
    case BK_UCS4:
        return bk_ucs4(w, c, i, j);
    case BK_BYTESN: {
        const unsigned char *p = (const unsigned char *)c->b0.buf + j * c->param;
        Py_ssize_t n = (Py_ssize_t)c->param;
        while (n > 0 && p[n - 1] == 0) /* numpy strips the NUL padding */
            n--;
        if (w_bytes_header(w, n) < 0)
            return -1;
        return w_raw(w, p, n);
    }
    case BK_OBJ: {
        PyObject *item;
        int r;
        if (j >= PyList_GET_SIZE(c->obj))
            return bk_bad(c, "object values missing");
        item = PyList_GET_ITEM(c->obj, j);
        Py_INCREF(item);
        r = enc(pk, w, item);
        Py_DECREF(item);
        return r;
    }
    }
    return bk_bad(c, "unknown column kind");
}

static int
bk_part(Packer *pk, W *w, PyObject *part, PyObject *keys)
{
    PyObject *descs;
    Py_ssize_t rows, n, i, k;
    BkCol *cols;
    int r = 0;

    if (!PyTuple_Check(part) || !PyArg_ParseTuple(part, "nO!:part", &rows, &PyTuple_Type, &descs))
        return -1;
    n = PyTuple_GET_SIZE(descs);
    if ((keys == Py_None && n != 1) || (keys != Py_None && n != PyTuple_GET_SIZE(keys))) {
        PyErr_SetString(PyExc_ValueError, "a bulk part needs one column per key (one without keys)");
        return -1;
    }
    cols = PyMem_Calloc((size_t)(n + 1), sizeof(BkCol));
    if (cols == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (k = 0; r == 0 && k < n; k++) {
        r = bk_parse(PyTuple_GET_ITEM(descs, k), &cols[k], 0);
        if (r == 0 && cols[k].len != rows) {
            PyErr_Format(PyExc_ValueError, "column %R holds %zd values, the batch %zd rows",
                         cols[k].name, cols[k].len, rows);
            r = -1;
        }
    }
    for (i = 0; r == 0 && i < rows; i++) {
        if (keys == Py_None) {
            r = bk_value(pk, w, &cols[0], i);
            continue;
        }
        r = w_map_header(w, n);
        for (k = 0; r == 0 && k < n; k++) {
            PyObject *key = PyTuple_GET_ITEM(keys, k);
            r = w_raw(w, PyBytes_AS_STRING(key), PyBytes_GET_SIZE(key));
            if (r == 0)
                r = bk_value(pk, w, &cols[k], i);
        }
        if (r == 0 && w->len > (1 << 20) && w->out != NULL)
            r = w_flush(w); /* keep the scratch buffer small: the rows go to out as they come */
    }
    for (k = 0; k < n; k++)
        bk_free(&cols[k]);
    PyMem_Free(cols);
    return r;
}

static PyObject *
packer_columns(PyObject *self, PyObject *args)
{
    PyObject *parts, *keys, *out;
    Py_ssize_t i, total = 0;
    W w;
    int r = 0;

    if (!PyArg_ParseTuple(args, "O!OO!:columns", &PyList_Type, &parts, &keys, &PyByteArray_Type, &out))
        return NULL;
    if (keys != Py_None) {
        if (!PyTuple_Check(keys)) {
            PyErr_SetString(PyExc_TypeError, "columns(): keys must be None or a tuple of encoded names");
            return NULL;
        }
        for (i = 0; i < PyTuple_GET_SIZE(keys); i++) {
            if (!PyBytes_Check(PyTuple_GET_ITEM(keys, i))) {
                PyErr_SetString(PyExc_TypeError, "columns(): keys must be encoded strings (bytes)");
                return NULL;
            }
        }
    }
    for (i = 0; i < PyList_GET_SIZE(parts); i++) {
        PyObject *part = PyList_GET_ITEM(parts, i), *rows;
        Py_ssize_t n;
        if (!PyTuple_Check(part) || PyTuple_GET_SIZE(part) != 2) {
            PyErr_SetString(PyExc_TypeError, "columns(): a part is (rows, columns)");
            return NULL;
        }
        rows = PyTuple_GET_ITEM(part, 0);
        n = PyLong_AsSsize_t(rows);
        if (n == -1 && PyErr_Occurred())
            return NULL;
        if (n < 0 || total > PY_SSIZE_T_MAX - n) {
            PyErr_SetString(PyExc_ValueError, "columns(): bad row count");
            return NULL;
        }
        total += n;
    }
    w.out = out;
    w.buf = w.stack;
    w.len = 0;
    w.cap = (Py_ssize_t)sizeof(w.stack);
    w.heap = 0;
    r = w_list_header(&w, total);
    for (i = 0; r == 0 && i < PyList_GET_SIZE(parts); i++)
        r = bk_part((Packer *)self, &w, PyList_GET_ITEM(parts, i), keys);
    if (r == 0) {
        r = w_flush(&w);
    }
    else {
        PyObject *type, *value, *tb;
        PyErr_Fetch(&type, &value, &tb);
        if (w_flush(&w) < 0)
            PyErr_Clear();
        PyErr_Restore(type, value, tb);
    }
    if (w.heap)
        PyMem_Free(w.buf);
    if (r < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyMethodDef packer_methods[] = {
    {"to_bytes", packer_to_bytes, METH_O, "to_bytes(value) -> bytes: the encoding of one value"},
    {"columns", packer_columns, METH_VARARGS,
     "columns(parts, keys, out): bulk parameters from column buffers (asyncbolt.codec.bulk)"},
    {NULL, NULL, 0, NULL},
};

static void
packer_dealloc(PyObject *self)
{
    Packer *pk = (Packer *)self;
    Py_ssize_t i;

    if (pk->entries != NULL) {
        for (i = 0; i < pk->nentries; i++) {
            Py_XDECREF(pk->entries[i].type);
            Py_XDECREF(pk->entries[i].header);
            Py_XDECREF(pk->entries[i].getter);
        }
        PyMem_Free(pk->entries);
    }
    Py_XDECREF(pk->packers);
    Py_XDECREF(pk->unavailable);
    Py_XDECREF(pk->pack_other);
    Py_TYPE(self)->tp_free(self);
}

static PyTypeObject PackerType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "asyncbolt._generated._accel.Packer",
    .tp_basicsize = sizeof(Packer),
    .tp_dealloc = packer_dealloc,
    .tp_vectorcall_offset = offsetof(Packer, vectorcall),
    .tp_call = PyVectorcall_Call,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_doc = "pack(value, out): append the PackStream encoding of value to the bytearray out",
    .tp_methods = packer_methods,
};

/* Slot offsets of an attrgetter of 2+ plain names on cls, all member descriptors; else 0. */
static int
fast_fields(PyTypeObject *cls, PyObject *getter, PEntry *e)
{
    PyObject *reduced, *names;
    Py_ssize_t i, n;

    if (!Py_IS_TYPE(getter, AttrGetter))
        return 0;
    reduced = PyObject_CallMethod(getter, "__reduce__", NULL);
    if (reduced == NULL) {
        PyErr_Clear();
        return 0;
    }
    names = PyTuple_Check(reduced) && PyTuple_GET_SIZE(reduced) == 2 ? PyTuple_GET_ITEM(reduced, 1) : NULL;
    n = names != NULL && PyTuple_Check(names) ? PyTuple_GET_SIZE(names) : 0;
    if (n < 2 || n > MAX_STRUCT_FIELDS) {
        Py_DECREF(reduced);
        return 0;
    }
    for (i = 0; i < n; i++) {
        PyObject *name = PyTuple_GET_ITEM(names, i), *descr;
        PyMemberDef *member;
        if (!PyUnicode_CheckExact(name) || PyUnicode_FindChar(name, '.', 0, PyUnicode_GET_LENGTH(name), 1) != -1)
            break;
        descr = PyObject_GetAttr((PyObject *)cls, name);
        if (descr == NULL) {
            PyErr_Clear();
            break;
        }
        if (!Py_IS_TYPE(descr, &PyMemberDescr_Type)) {
            Py_DECREF(descr);
            break;
        }
        member = ((PyMemberDescrObject *)descr)->d_member;
        if (member->type != MEMBER_OBJECT_EX || !PyType_IsSubtype(cls, PyDescr_TYPE(descr))) {
            Py_DECREF(descr);
            break;
        }
        e->off[i] = member->offset;
        Py_DECREF(descr);
    }
    Py_DECREF(reduced);
    return i == n ? (int)n : 0;
}

static PyObject *
make_pack(PyObject *module, PyObject *args)
{
    PyObject *packers, *unavailable, *pack_other, *key, *entry;
    Packer *pk;
    Py_ssize_t i = 0, n;

    if (!PyArg_ParseTuple(args, "O!O!O:make_pack", &PyDict_Type, &packers, &PyDict_Type,
                          &unavailable, &pack_other))
        return NULL;
    if (!bound) {
        PyErr_SetString(PyExc_RuntimeError, "asyncbolt._accel.bind() was not called");
        return NULL;
    }
    pk = PyObject_New(Packer, &PackerType);
    if (pk == NULL)
        return NULL;
    pk->vectorcall = packer_call;
    Py_INCREF(packers);
    pk->packers = packers;
    Py_INCREF(unavailable);
    pk->unavailable = unavailable;
    Py_INCREF(pack_other);
    pk->pack_other = pack_other;
    pk->nentries = 0;
    n = PyDict_GET_SIZE(packers);
    pk->entries = PyMem_Calloc((size_t)(n + 1), sizeof(PEntry));
    if (pk->entries == NULL) {
        Py_DECREF(pk);
        return PyErr_NoMemory();
    }
    while (PyDict_Next(packers, &i, &key, &entry)) {
        PEntry *e = &pk->entries[pk->nentries];
        if (!PyType_Check(key) || !PyTuple_Check(entry) || PyTuple_GET_SIZE(entry) != 2
                || !PyBytes_Check(PyTuple_GET_ITEM(entry, 0))) {
            PyErr_SetString(PyExc_ValueError, "packers: {type: (header bytes, fields getter)}");
            Py_DECREF(pk);
            return NULL;
        }
        Py_INCREF(key);
        e->type = (PyTypeObject *)key;
        e->header = PyTuple_GET_ITEM(entry, 0);
        Py_INCREF(e->header);
        e->getter = PyTuple_GET_ITEM(entry, 1);
        Py_INCREF(e->getter);
        pk->nentries++;
        e->nfast = fast_fields(e->type, e->getter, e);
        if (PyErr_Occurred()) {
            Py_DECREF(pk);
            return NULL;
        }
    }
    return (PyObject *)pk;
}

/* ---- framing ------------------------------------------------------------------------------ */

/* split_chunks(data, pos, limit, out) -> (pos, noops, too_big): the fast path of
 * asyncbolt.core.framing.ChunkReader.feed. From pos, every whole single-chunk message (2-byte size,
 * payload, 00 00) is appended to the list out as bytes and every lone 00 00 counted as a NOOP,
 * until fewer than 4 bytes remain or a message is incomplete or spans several chunks (the
 * Python state machine takes over at the returned pos). too_big is -1, or the size of a chunk
 * larger than limit whose header is at the returned pos. */
static PyObject *
split_chunks(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    Py_ssize_t pos, n, last, noops = 0, bad = -1;
    long long limit;
    const unsigned char *b;
    Py_buffer view;
    PyObject *out;

    if (nargs != 4 || !PyList_Check(args[3])) {
        PyErr_SetString(PyExc_TypeError, "split_chunks(data, pos, limit, out: list)");
        return NULL;
    }
    out = args[3];
    pos = PyLong_AsSsize_t(args[1]);
    if (pos == -1 && PyErr_Occurred())
        return NULL;
    limit = PyLong_AsLongLong(args[2]);
    if (limit == -1 && PyErr_Occurred())
        return NULL;
    if (PyObject_GetBuffer(args[0], &view, PyBUF_SIMPLE) < 0)
        return NULL;
    b = (const unsigned char *)view.buf;
    n = view.len;
    last = n - 4;
    if (pos < 0)
        pos = n; /* nothing to do */
    while (pos <= last) {
        Py_ssize_t size = rd16(b + pos), end;
        PyObject *payload;
        if (size == 0) {
            noops++;
            pos += 2;
            continue;
        }
        end = pos + 2 + size;
        if (end > last + 2 || b[end] || b[end + 1])
            break; /* incomplete, or the first of several chunks */
        if ((long long)size > limit) {
            bad = size;
            break;
        }
        payload = PyBytes_FromStringAndSize((const char *)b + pos + 2, size);
        if (payload == NULL || PyList_Append(out, payload) < 0) {
            Py_XDECREF(payload);
            PyBuffer_Release(&view);
            return NULL;
        }
        Py_DECREF(payload);
        pos = end + 2;
    }
    PyBuffer_Release(&view);
    return Py_BuildValue("nnn", pos, noops, bad);
}

/* ---- bind --------------------------------------------------------------------------------- */

static int
take(PyObject *from, const char *name, PyObject **slot)
{
    PyObject *v = PyObject_GetAttrString(from, name);
    if (v == NULL)
        return -1;
    Py_XSETREF(*slot, v);
    return 0;
}

/* The slot offsets of cls's fields (all member descriptors holding objects). */
static int
slot_offsets(PyTypeObject *cls, const char *const *names, Py_ssize_t *off, int n)
{
    int i;

    for (i = 0; i < n; i++) {
        PyObject *descr = PyObject_GetAttrString((PyObject *)cls, names[i]);
        PyMemberDef *member;
        if (descr == NULL)
            return -1;
        if (!Py_IS_TYPE(descr, &PyMemberDescr_Type)) {
            Py_DECREF(descr);
            PyErr_Format(PyExc_TypeError, "%s.%s is not a slot", cls->tp_name, names[i]);
            return -1;
        }
        member = ((PyMemberDescrObject *)descr)->d_member;
        if (member->type != MEMBER_OBJECT_EX) {
            Py_DECREF(descr);
            PyErr_Format(PyExc_TypeError, "%s.%s is not an object slot", cls->tp_name, names[i]);
            return -1;
        }
        off[i] = member->offset;
        Py_DECREF(descr);
    }
    return 0;
}

static PyObject *
bind(PyObject *module, PyObject *codec)
{
    PyObject *structures = NULL, *operator_ = NULL, *ag = NULL, *cls = NULL;
    const Builder *bl;

    if (take(codec, "ProtocolError", &ProtocolError) < 0
            || take(codec, "Structure", &GenericStructure) < 0
            || take(codec, "_TAG_VERSIONS", &TagVersions) < 0
            || take(codec, "_GATED", &Gated) < 0
            || take(codec, "_from_UUID", &from_UUID) < 0
            || take(codec, "_s", &structures) < 0)
        goto fail;
    if (!PyDict_Check(TagVersions) || !PyDict_Check(Gated)) {
        PyErr_SetString(PyExc_TypeError, "codec._TAG_VERSIONS and codec._GATED must be dicts");
        goto fail;
    }
    operator_ = PyImport_ImportModule("operator");
    if (operator_ == NULL || take(operator_, "attrgetter", &ag) < 0)
        goto fail;
    if (!PyType_Check(ag)) {
        PyErr_SetString(PyExc_TypeError, "operator.attrgetter is not a type");
        goto fail;
    }
    Py_XSETREF(AttrGetter, (PyTypeObject *)ag);
    ag = NULL;
    {
        static const char *const names[] = {
"id", "labels", "properties", "element_id",
        };
        if (take(structures, "Node", &cls) < 0)
            goto fail;
        if (!PyType_Check(cls)) {
            PyErr_SetString(PyExc_TypeError, "structures.Node is not a class");
            goto fail;
        }
        if (slot_offsets((PyTypeObject *)cls, names, off_Node, 4) < 0)
            goto fail;
        Py_XSETREF(cls_Node, (PyTypeObject *)cls);
        cls = NULL;
    }
    {
        static const char *const names[] = {
"id", "start_node_id", "end_node_id", "type", "properties", "element_id", "start_node_element_id", "end_node_element_id",
        };
        if (take(structures, "Relationship", &cls) < 0)
            goto fail;
        if (!PyType_Check(cls)) {
            PyErr_SetString(PyExc_TypeError, "structures.Relationship is not a class");
            goto fail;
        }
        if (slot_offsets((PyTypeObject *)cls, names, off_Relationship, 8) < 0)
            goto fail;
        Py_XSETREF(cls_Relationship, (PyTypeObject *)cls);
        cls = NULL;
    }
    {
        static const char *const names[] = {
"id", "type", "properties", "element_id",
        };
        if (take(structures, "UnboundRelationship", &cls) < 0)
            goto fail;
        if (!PyType_Check(cls)) {
            PyErr_SetString(PyExc_TypeError, "structures.UnboundRelationship is not a class");
            goto fail;
        }
        if (slot_offsets((PyTypeObject *)cls, names, off_UnboundRelationship, 4) < 0)
            goto fail;
        Py_XSETREF(cls_UnboundRelationship, (PyTypeObject *)cls);
        cls = NULL;
    }
    {
        static const char *const names[] = {
"nodes", "relationships", "indices",
        };
        if (take(structures, "Path", &cls) < 0)
            goto fail;
        if (!PyType_Check(cls)) {
            PyErr_SetString(PyExc_TypeError, "structures.Path is not a class");
            goto fail;
        }
        if (slot_offsets((PyTypeObject *)cls, names, off_Path, 3) < 0)
            goto fail;
        Py_XSETREF(cls_Path, (PyTypeObject *)cls);
        cls = NULL;
    }
    {
        static const char *const names[] = {
"days",
        };
        if (take(structures, "Date", &cls) < 0)
            goto fail;
        if (!PyType_Check(cls)) {
            PyErr_SetString(PyExc_TypeError, "structures.Date is not a class");
            goto fail;
        }
        if (slot_offsets((PyTypeObject *)cls, names, off_Date, 1) < 0)
            goto fail;
        Py_XSETREF(cls_Date, (PyTypeObject *)cls);
        cls = NULL;
    }
    {
        static const char *const names[] = {
"nanoseconds", "tz_offset_seconds",
        };
        if (take(structures, "Time", &cls) < 0)
            goto fail;
        if (!PyType_Check(cls)) {
            PyErr_SetString(PyExc_TypeError, "structures.Time is not a class");
            goto fail;
        }
        if (slot_offsets((PyTypeObject *)cls, names, off_Time, 2) < 0)
            goto fail;
        Py_XSETREF(cls_Time, (PyTypeObject *)cls);
        cls = NULL;
    }
    {
        static const char *const names[] = {
"nanoseconds",
        };
        if (take(structures, "LocalTime", &cls) < 0)
            goto fail;
        if (!PyType_Check(cls)) {
            PyErr_SetString(PyExc_TypeError, "structures.LocalTime is not a class");
            goto fail;
        }
        if (slot_offsets((PyTypeObject *)cls, names, off_LocalTime, 1) < 0)
            goto fail;
        Py_XSETREF(cls_LocalTime, (PyTypeObject *)cls);
        cls = NULL;
    }
    {
        static const char *const names[] = {
"seconds", "nanoseconds", "tz_offset_seconds",
        };
        if (take(structures, "DateTime", &cls) < 0)
            goto fail;
        if (!PyType_Check(cls)) {
            PyErr_SetString(PyExc_TypeError, "structures.DateTime is not a class");
            goto fail;
        }
        if (slot_offsets((PyTypeObject *)cls, names, off_DateTime, 3) < 0)
            goto fail;
        Py_XSETREF(cls_DateTime, (PyTypeObject *)cls);
        cls = NULL;
    }
    {
        static const char *const names[] = {
"seconds", "nanoseconds", "tz_id",
        };
        if (take(structures, "DateTimeZoneId", &cls) < 0)
            goto fail;
        if (!PyType_Check(cls)) {
            PyErr_SetString(PyExc_TypeError, "structures.DateTimeZoneId is not a class");
            goto fail;
        }
        if (slot_offsets((PyTypeObject *)cls, names, off_DateTimeZoneId, 3) < 0)
            goto fail;
        Py_XSETREF(cls_DateTimeZoneId, (PyTypeObject *)cls);
        cls = NULL;
    }
    {
        static const char *const names[] = {
"seconds", "nanoseconds", "tz_offset_seconds",
        };
        if (take(structures, "LegacyDateTime", &cls) < 0)
            goto fail;
        if (!PyType_Check(cls)) {
            PyErr_SetString(PyExc_TypeError, "structures.LegacyDateTime is not a class");
            goto fail;
        }
        if (slot_offsets((PyTypeObject *)cls, names, off_LegacyDateTime, 3) < 0)
            goto fail;
        Py_XSETREF(cls_LegacyDateTime, (PyTypeObject *)cls);
        cls = NULL;
    }
    {
        static const char *const names[] = {
"seconds", "nanoseconds", "tz_id",
        };
        if (take(structures, "LegacyDateTimeZoneId", &cls) < 0)
            goto fail;
        if (!PyType_Check(cls)) {
            PyErr_SetString(PyExc_TypeError, "structures.LegacyDateTimeZoneId is not a class");
            goto fail;
        }
        if (slot_offsets((PyTypeObject *)cls, names, off_LegacyDateTimeZoneId, 3) < 0)
            goto fail;
        Py_XSETREF(cls_LegacyDateTimeZoneId, (PyTypeObject *)cls);
        cls = NULL;
    }
    {
        static const char *const names[] = {
"seconds", "nanoseconds",
        };
        if (take(structures, "LocalDateTime", &cls) < 0)
            goto fail;
        if (!PyType_Check(cls)) {
            PyErr_SetString(PyExc_TypeError, "structures.LocalDateTime is not a class");
            goto fail;
        }
        if (slot_offsets((PyTypeObject *)cls, names, off_LocalDateTime, 2) < 0)
            goto fail;
        Py_XSETREF(cls_LocalDateTime, (PyTypeObject *)cls);
        cls = NULL;
    }
    {
        static const char *const names[] = {
"months", "days", "seconds", "nanoseconds",
        };
        if (take(structures, "Duration", &cls) < 0)
            goto fail;
        if (!PyType_Check(cls)) {
            PyErr_SetString(PyExc_TypeError, "structures.Duration is not a class");
            goto fail;
        }
        if (slot_offsets((PyTypeObject *)cls, names, off_Duration, 4) < 0)
            goto fail;
        Py_XSETREF(cls_Duration, (PyTypeObject *)cls);
        cls = NULL;
    }
    {
        static const char *const names[] = {
"srid", "x", "y",
        };
        if (take(structures, "Point2D", &cls) < 0)
            goto fail;
        if (!PyType_Check(cls)) {
            PyErr_SetString(PyExc_TypeError, "structures.Point2D is not a class");
            goto fail;
        }
        if (slot_offsets((PyTypeObject *)cls, names, off_Point2D, 3) < 0)
            goto fail;
        Py_XSETREF(cls_Point2D, (PyTypeObject *)cls);
        cls = NULL;
    }
    {
        static const char *const names[] = {
"srid", "x", "y", "z",
        };
        if (take(structures, "Point3D", &cls) < 0)
            goto fail;
        if (!PyType_Check(cls)) {
            PyErr_SetString(PyExc_TypeError, "structures.Point3D is not a class");
            goto fail;
        }
        if (slot_offsets((PyTypeObject *)cls, names, off_Point3D, 4) < 0)
            goto fail;
        Py_XSETREF(cls_Point3D, (PyTypeObject *)cls);
        cls = NULL;
    }
    {
        static const char *const names[] = {
"type_marker", "data",
        };
        if (take(structures, "Vector", &cls) < 0)
            goto fail;
        if (!PyType_Check(cls)) {
            PyErr_SetString(PyExc_TypeError, "structures.Vector is not a class");
            goto fail;
        }
        if (slot_offsets((PyTypeObject *)cls, names, off_Vector, 2) < 0)
            goto fail;
        Py_XSETREF(cls_Vector, (PyTypeObject *)cls);
        cls = NULL;
    }
    {
        static const char *const names[] = {
"name", "minimum_protocol_major", "minimum_protocol_minor", "extra",
        };
        if (take(structures, "UnsupportedType", &cls) < 0)
            goto fail;
        if (!PyType_Check(cls)) {
            PyErr_SetString(PyExc_TypeError, "structures.UnsupportedType is not a class");
            goto fail;
        }
        if (slot_offsets((PyTypeObject *)cls, names, off_UnsupportedType, 4) < 0)
            goto fail;
        Py_XSETREF(cls_UnsupportedType, (PyTypeObject *)cls);
        cls = NULL;
    }
    for (bl = BUILDERS; bl->name != NULL; bl++) {
        if (take(codec, bl->name, bl->py) < 0)
            goto fail;
    }
    Py_DECREF(structures);
    Py_DECREF(operator_);
    bound = 1;
    Py_RETURN_NONE;
fail:
    Py_XDECREF(structures);
    Py_XDECREF(operator_);
    Py_XDECREF(ag);
    Py_XDECREF(cls);
    bound = 0;
    return NULL;
}

static PyMethodDef methods[] = {
    {"bind", bind, METH_O, "bind(codec_module): take the generated codec's tables and builders"},
    {"make_unpack", make_unpack, METH_VARARGS,
     "make_unpack(structs, profile[, max_depth[, max_values]]) -> unpack(data, pos) -> (value, end)"},
    {"make_pack", make_pack, METH_VARARGS,
     "make_pack(packers, unavailable, pack_other) -> pack(value, out: bytearray)"},
    {"split_chunks", (PyCFunction)(void (*)(void))split_chunks, METH_FASTCALL,
     "split_chunks(data, pos, limit, out) -> (pos, noops, too_big): whole single-chunk messages"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef moduledef = {
    PyModuleDef_HEAD_INIT,
    "asyncbolt._generated._accel",
    "The C accelerator of asyncbolt's PackStream codec (generated; see codec.py).",
    -1,
    methods,
};

PyMODINIT_FUNC
PyInit__accel(void)
{
    PyObject *m;

    if (PyType_Ready(&UnpackerType) < 0 || PyType_Ready(&PackerType) < 0)
        return NULL;
    if (PyType_Ready(&RecordBaseType) < 0)
        return NULL;
    if (zero == NULL && (zero = PyLong_FromLong(0)) == NULL)
        return NULL;
    m = PyModule_Create(&moduledef);
    if (m == NULL)
        return NULL;
    if (PyModule_AddStringConstant(m, "DIGEST", ACCEL_DIGEST) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    Py_INCREF(&RecordBaseType);
    if (PyModule_AddObject(m, "RecordBase", (PyObject *)&RecordBaseType) < 0) {
        Py_DECREF(&RecordBaseType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
