/* csv.h: reading delimited text (CSV as to_csv writes it, tshark -T fields output) into a table. Pure C. */
#ifndef PF_CSV_H
#define PF_CSV_H

#include "table.h"

/* Parses text[0 .. len): a header line of column names, then one line per
   row, cells separated by sep, RFC 4180 quotes honoured (a quoted cell may
   hold sep, quotes doubled, line breaks). A column named after a known field
   takes that field's type and reads its text form as tshark and to_csv write
   it (ports, 0x-hex numbers, addresses, "secs.nnnnnnnnn" times, hex bytes;
   a cell holding "a,b" gives two occurrences, as to_csv joins them). Other
   columns are bool when every cell is True or False, int when every cell is
   an integer, double when every cell is a number, and string otherwise.
   Empty cells are null. Returns the table, or NULL with *rc (ENOMEM, EINTR,
   or PF_TABLE_EWRITE for bad text, described in err as "line N: ...").
   Nothing is allocated per row. */
pf_table *pf_csv_parse(const pf_ctx *ctx, const char *text, size_t len, char sep, int *rc, char *err,
                       size_t errlen);

#endif
