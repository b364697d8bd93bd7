/* budget.h: a memory budget: an allocator that counts what it hands out and refuses to pass a limit. Pure C. */
#ifndef PF_BUDGET_H
#define PF_BUDGET_H

#include <stddef.h>

/* Bytes allocated through pf_budget_alloc; limit 0 means none. hit is set
   when an allocation was refused for the limit (not for the C library
   running out), so a caller tells "budget reached" from "out of memory". */
typedef struct pf_budget {
  size_t limit;
  size_t used;
  int hit;
} pf_budget;

/* A pf_alloc_fn (lua_Alloc contract) over realloc/free with ud a pf_budget:
   a growth that would take used past limit fails, leaving the block as it
   was. Blocks are plain malloc blocks, so another allocator over
   realloc/free may take them over (pf_table_setalloc). */
void *pf_budget_alloc(void *ud, void *ptr, size_t osize, size_t nsize);

/* Parses a size: whole bytes ("1048576") or a number and a binary unit K,
   M, G or T, either case ("800K", "512M", "1.5G"). 0 with *bytes set (> 0),
   or -1. */
int pf_budget_parse(const char *s, size_t *bytes);

/* A size as the messages show it: "512M" when it is a whole number of a
   unit, else bytes ("1000 bytes"). */
void pf_budget_format(size_t bytes, char *buf, size_t n);

#endif
