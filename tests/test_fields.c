/* test_fields.c: the field registry's user fields (pf_field_define) and the decoder's user-field hook, without Lua. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "decode.h"
#include "fields.h"
#include "table.h"

static void names_are_checked(void) {
  char err[256];
  static const struct { const char *name, *why; } bad[] = {
    { "", "bad field name '': empty" },
    { "myproto", "bad field name 'myproto': it needs a protocol part, as in 'myproto.op'" },
    { "Myproto.op", "bad field name 'Myproto.op': it must start with a lowercase letter" },
    { "1proto.op", "bad field name '1proto.op': it must start with a lowercase letter" },
    { "my.Op", "bad field name 'my.Op': only lowercase letters, digits, '_', '-' and dots" },
    { "my op.x", "bad field name 'my op.x': only lowercase letters, digits, '_', '-' and dots" },
    { "my..op", "bad field name 'my..op': an empty part between dots" },
    { "my.op.", "bad field name 'my.op.': an empty part between dots" },
    { "ip.src", "'ip.src' is a built-in field" },
    { "a.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      "bad field name 'a.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa': longer than 63 characters" },
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    err[0] = 0;
    CHECK(pf_field_define(bad[i].name, PF_FT_UINT, 0, "", err, sizeof err) == -1);
    CHECK(strcmp(err, bad[i].why) == 0);
    if (strcmp(err, bad[i].why) != 0) fprintf(stderr, "  got: %s\n", err);
  }
  CHECK(pf_field_count() == PF_NFIELDS);
  CHECK(pf_field_lookup("my.op") == -1);
}

static void defining_and_redefining(void) {
  char err[256];
  int a = pf_field_define("my.op", PF_FT_UINT, 0, "first", err, sizeof err);
  CHECK(a == PF_NFIELDS);
  CHECK(pf_field_count() == PF_NFIELDS + 1);
  CHECK(pf_field_lookup("my.op") == a);
  CHECK(strcmp(pf_fields[a].name, "my.op") == 0 && pf_fields[a].type == PF_FT_UINT);
  /* the same type keeps the id, with the new doc */
  CHECK(pf_field_define("my.op", PF_FT_UINT, 0, "second", err, sizeof err) == a);
  CHECK(strcmp(pf_fields[a].doc, "second") == 0);
  CHECK(pf_field_count() == PF_NFIELDS + 1);
  /* another type: a new id; the old one keeps name and type for its tables but is not found */
  int b = pf_field_define("my.op", PF_FT_STRING, 0, NULL, err, sizeof err);
  CHECK(b == a + 1);
  CHECK(pf_field_lookup("my.op") == b);
  CHECK(pf_field_retired(a) && !pf_field_retired(b));
  CHECK(pf_fields[a].type == PF_FT_UINT && strcmp(pf_fields[a].name, "my.op") == 0);
  CHECK(strcmp(pf_fields[b].doc, "") == 0);
  /* a suggestion never names a retired field twice */
  const char *sug[3];
  CHECK(pf_field_suggest("my.oq", sug, 3) == 1 && strcmp(sug[0], "my.op") == 0);
  CHECK(pf_ftype_lookup("ipv6") == PF_FT_IPV6 && pf_ftype_lookup("float") == -1);
  /* undefined: neither found nor suggested; only a live user field can be undefined */
  CHECK(pf_field_undefine(b) == 0);
  CHECK(pf_field_lookup("my.op") == -1 && pf_field_retired(b));
  int k = pf_field_suggest("my.op", sug, 3);
  for (int i = 0; i < k; i++) CHECK(strcmp(sug[i], "my.op") != 0);
  CHECK(pf_field_undefine(b) == -1 && pf_field_undefine(PF_F_IP_SRC) == -1 && pf_field_undefine(PF_MAXFIELDS) == -1);
  /* the same choice among a table's column names ("no column named 'ip.scr'; did you mean 'ip.src'?") */
  const char *cols[] = { "frame.number", "ip.src", "ip.dst", "bytes", "tcp.srcport", "tcp.dstport" };
  CHECK(pf_name_suggest("ip.scr", cols, 6, sug, 3) == 1 && strcmp(sug[0], "ip.src") == 0);
  CHECK(pf_name_suggest("byte", cols, 6, sug, 3) == 1 && strcmp(sug[0], "bytes") == 0);
  CHECK(pf_name_suggest("tcp.port", cols, 6, sug, 3) == 2 && strcmp(sug[0], "tcp.srcport") == 0 &&
        strcmp(sug[1], "tcp.dstport") == 0);
  CHECK(pf_name_suggest("zzzzzzzz", cols, 6, sug, 3) == 0);
  CHECK(pf_name_suggest("x", cols, 0, sug, 3) == 0);
}

/* The hook of decoding: puts the frame number + 1000 into the user field, and
   a string that is not in the packet (as userfield_lua.c's arena does). */
typedef struct hookctx { int fid, sfid, calls; } hookctx;
static const uint8_t text_ab[] = "ab";

static int hook(void *ud, pf_pkt *p) {
  hookctx *h = ud;
  h->calls++;
  pf_val *v = pf_pkt_add(p, h->fid);
  if (v == NULL) return -1;
  v->v.u = p->num + 1000;
  if (p->num == 2) {   /* two occurrences */
    v = pf_pkt_add(p, h->fid);
    if (v) v->v.u = 7;
  }
  v = pf_pkt_add(p, h->sfid);
  if (v) { v->v.s.p = text_ab; v->v.s.len = 2; }
  return 0;
}

static void the_hook_fills_tables(void) {
  char err[256];
  int fid = pf_field_define("hook.n", PF_FT_UINT, 4, "", err, sizeof err);
  int sfid = pf_field_define("hook.s", PF_FT_STRING, 0, "", err, sizeof err);
  CHECK(fid >= PF_NFIELDS && sfid == fid + 1);
  int fids[] = { PF_F_FRAME_NUMBER, fid, sfid };
  pf_decoder *dec = pf_decoder_new(fids, 3);
  pf_table *t = pf_table_new(fids, 3, NULL, NULL);
  CHECK(dec != NULL && t != NULL);
  hookctx h = { fid, sfid, 0 };
  pf_user_hook uh = { hook, &h };
  static pf_pkt p;
  pf_pkt_init(&p);
  for (int i = 1; i <= 3; i++) {
    p.num = (uint64_t)i;
    p.has_ts = 1;
    p.is_packet = 0;   /* no bytes to decode: the frame fields and the hook */
    p.linktype = -1;
    pf_decoder_set_user(dec, i == 3 ? NULL : &uh);   /* cleared: no call */
    CHECK(pf_decode(dec, &p) == 0);
    CHECK(pf_table_append(t, &p) == PF_TABLE_OK);
  }
  CHECK(h.calls == 2);
  CHECK(pf_table_nrows(t) == 3);
  char buf[64];
  const pf_column *c = pf_table_col(t, 1);
  CHECK(c->type == PF_FT_UINT && c->fid == fid);
  CHECK(pf_column_format(c, 0, 0, buf, sizeof buf) == 6 && strcmp(buf, "0x03e9") == 0);
  CHECK(pf_column_format(c, 1, 1, buf, sizeof buf) == 6 && strcmp(buf, "0x0007") == 0);
  pf_val v;
  CHECK(!pf_column_get(c, 2, 0, &v));
  const pf_column *s = pf_table_col(t, 2);
  CHECK(pf_column_format(s, 1, 0, buf, sizeof buf) == 2 && strcmp(buf, "ab") == 0);
  pf_table_free(t);
  pf_decoder_free(dec);
}

static void the_registry_has_room_for_64(void) {
  char err[256], name[32];
  int n = pf_field_count(), last = -1;
  for (int i = n; i < PF_MAXFIELDS; i++) {
    snprintf(name, sizeof name, "fill.f%d", i);
    last = pf_field_define(name, PF_FT_INT, 0, "", err, sizeof err);
  }
  CHECK(last == PF_MAXFIELDS - 1);
  CHECK(pf_field_define("fill.more", PF_FT_INT, 0, "", err, sizeof err) == -1);
  CHECK(strcmp(err, "too many user fields (at most 64 definitions)") == 0);
  /* a redefinition of the same type needs no new id */
  snprintf(name, sizeof name, "fill.f%d", PF_MAXFIELDS - 1);
  CHECK(pf_field_define(name, PF_FT_INT, 0, "again", err, sizeof err) == PF_MAXFIELDS - 1);
}

/* The one unknown-field message: suggestions joined by ", " and " or ", truncated as snprintf. */
static void unknown_field_message(void) {
  char buf[128];
  size_t n = pf_field_unknown("ip.scr", buf, sizeof buf);
  CHECK(strcmp(buf, "unknown field 'ip.scr'; did you mean 'ip.src'?") == 0 && n == strlen(buf));
  pf_field_unknown("tcp.flags.sin", buf, sizeof buf);
  CHECK(strcmp(buf, "unknown field 'tcp.flags.sin'; did you mean 'tcp.flags.syn' or 'tcp.flags.fin'?") == 0);
  pf_field_unknown("no.such.thing.at.all", buf, sizeof buf);
  CHECK(strcmp(buf, "unknown field 'no.such.thing.at.all'") == 0);
  pf_field_unknown("ip.fla", buf, sizeof buf);   /* three: "'a', 'b' or 'c'" */
  CHECK(strcmp(buf, "unknown field 'ip.fla'; did you mean 'ip.flags', 'ip.flags.df' or 'ip.flags.mf'?") == 0);
  char small[10];
  CHECK(pf_field_unknown("ip.scr", small, sizeof small) == n && strcmp(small, "unknown f") == 0);
  CHECK(pf_field_unknown("ip.scr", NULL, 0) == n);
}

int main(void) {
  unknown_field_message();
  names_are_checked();
  defining_and_redefining();
  the_hook_fills_tables();
  the_registry_has_room_for_64();
  return check_report("test_fields");
}
