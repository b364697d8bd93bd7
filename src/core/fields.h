/* fields.h: fields defined at run time (the C half of pf.define_field). */
#ifndef PF_FIELDS_H
#define PF_FIELDS_H

#include <stddef.h>

#include "pf.h"

/* Defines a user field, or redefines one: with the same type and base it
   keeps its id (only the doc changes); with another, the old id is retired
   (tables that hold it keep its name and type) and a new one is taken.
   name: lowercase words of [a-z0-9_-] joined by dots, at least two, starting
   with a letter, at most 63 characters; base as pf_field_info's (uint only).
   Returns the field id, or -1 with a message in err: a bad name, a built-in
   name, no free id, out of memory. */
int pf_field_define(const char *name, pf_ftype type, int base, const char *doc, char *err, size_t errlen);

/* Retires user field fid (look-up and listings no longer find it; tables
   that hold it keep its name and type). 0, or -1 for a built-in or unused id. */
int pf_field_undefine(int fid);

/* 1 for an id that look-up no longer finds (see pf_field_define). */
int pf_field_retired(int fid);

/* "unknown field 'ip.scr'; did you mean 'ip.src'?": the message for a name
   look-up does not know, with up to three suggestions (pf_field_suggest)
   joined by ", " and " or " ("...; did you mean 'a', 'b' or 'c'?"). Written
   into buf as snprintf does (truncated to n - 1 characters, always ended;
   buf may be NULL when n is 0); returns the length of the whole message. The
   one wording of pf.read, pf.scan, display filters, define_field and the command. */
size_t pf_field_unknown(const char *name, char *buf, size_t n);

/* Up to max of the count names closest to name (a typo or two, or containing
   it), in their order, into out, as pf_field_suggest chooses among the fields;
   returns how many. For "no column named 'x'; did you mean ...?". */
int pf_name_suggest(const char *name, const char *const *names, int count, const char **out, int max);

/* The type named name ("uint", "string", ... as pf_ftype_name), or -1. */
int pf_ftype_lookup(const char *name);

#endif
