/* The graph executor (graph_executor.h).
 *
 * create() reads the JSON twice with the same code: a counting pass that
 * checks the syntax and counts nodes, inputs, entries and dimensions, then,
 * with the arrays laid out in the work buffer from those counts, a filling
 * pass. The filled graph is then checked (links, list lengths, dtypes),
 * storages are sized (largest entry of each storage id) and laid out after
 * the arrays, and each operator node gets its argument pointers
 * precomputed, so run() is a loop of calls. */
#include "ember/graph_executor.h"

#include <string.h>

enum { kNodeNull = 0, kNodeOp = 1, kNodeNop = 2 };

struct eg_node {
  const char* name;
  size_t name_len;
  const char* func; /* func_name (tvm_op only) */
  size_t func_len;
  size_t at;        /* byte offset of the node in the JSON */
  ember_operator_fn fn;
  uint32_t kind;
  uint32_t first_ref, num_inputs, num_outputs;
  uint32_t first_arg; /* into args: inputs then outputs */
};

struct eg_ref {
  uint32_t node, index;
};

struct eg_entry {
  uint8_t* data;
  size_t bytes;
  int64_t sid;
  uint32_t first_dim, ndim;
  uint32_t bits; /* bits * lanes of one element */
};

/* Counts of the counting pass = capacities of the filling pass. */
struct eg_counts {
  uint32_t nodes, refs, args, arg_nodes, heads, row_ptr, dltype, sid, shape, dims;
};

struct ember_graph_executor {
  struct eg_counts n;
  struct eg_node* nodes;
  struct eg_ref* refs;
  struct eg_ref* heads;
  uint32_t* arg_nodes;
  int64_t* row_ptr;
  struct eg_entry* entries; /* n.dltype of them (= sid = shape, checked) */
  int64_t* dims;
  size_t* storage_bytes; /* one per possible storage id (< entries) */
  void** args;
};

struct eg_parse {
  struct ember_json j;
  struct eg_counts c; /* running counts */
  struct ember_graph_executor* g; /* NULL in the counting pass */
  size_t upper_bytes;             /* counting pass: an upper bound of all storages */
  const char* dltype_at;          /* counting pass: where the attrs lists are */
};

#define EG_FAIL(p, code) ember_json_fail(&(p)->j, (code))

static int parse_int_u32(struct eg_parse* p, uint32_t* v) {
  int64_t x;
  if (ember_json_int(&p->j, &x) != 0) return -1;
  if (x < 0 || x > (int64_t)UINT32_MAX) return EG_FAIL(p, kEmberErrorGraphInvalid);
  *v = (uint32_t)x;
  return 0;
}

/* [node, index] or [node, index, version]. */
static int parse_ref(struct eg_parse* p, struct eg_ref* out) {
  uint32_t n = 0, k = 0, v = 0;
  int r;
  if (ember_json_open(&p->j, '[') != 0) return -1;
  while ((r = ember_json_more(&p->j, ']', &n)) > 0) {
    if (n > 3u) return EG_FAIL(p, kEmberErrorGraphInvalid);
    if (parse_int_u32(p, &v) != 0) return -1;
    if (n == 1u) out->node = v;
    if (n == 2u) out->index = v;
    k = n;
  }
  if (r < 0) return -1;
  return k < 2u ? EG_FAIL(p, kEmberErrorGraphInvalid) : 0;
}

/* A number given as a string ("1", as TVM writes attrs) or as an integer. */
static int parse_count_attr(struct eg_parse* p, uint32_t* v) {
  const char* s;
  size_t len, i;
  if (ember_json_peek(&p->j) == EMBER_JSON_NUMBER) return parse_int_u32(p, v);
  if (ember_json_string(&p->j, &s, &len) != 0) return -1;
  if (len == 0u || len > 9u) return EG_FAIL(p, kEmberErrorGraphInvalid);
  *v = 0;
  for (i = 0; i < len; ++i) {
    if (s[i] < '0' || s[i] > '9') return EG_FAIL(p, kEmberErrorGraphInvalid);
    *v = *v * 10u + (uint32_t)(s[i] - '0');
  }
  return 0;
}

static int parse_node_attrs(struct eg_parse* p, struct eg_node* node) {
  uint32_t n = 0;
  int r;
  const char* key;
  size_t key_len;
  if (ember_json_open(&p->j, '{') != 0) return -1;
  while ((r = ember_json_more(&p->j, '}', &n)) > 0) {
    if (ember_json_key(&p->j, &key, &key_len) != 0) return -1;
    if (ember_json_equals(key, key_len, "func_name")) {
      if (ember_json_string(&p->j, &node->func, &node->func_len) != 0) return -1;
    } else if (ember_json_equals(key, key_len, "num_outputs")) {
      if (parse_count_attr(p, &node->num_outputs) != 0) return -1;
    } else if (ember_json_equals(key, key_len, "num_inputs")) {
      /* kept in first_arg until link_node checks it against the inputs */
      if (parse_count_attr(p, &node->first_arg) != 0) return -1;
    } else if (ember_json_skip(&p->j) != 0) {
      return -1;
    }
  }
  return r;
}

static int parse_node_inputs(struct eg_parse* p, struct eg_node* node) {
  uint32_t n = 0;
  int r;
  struct eg_ref ref = {0u, 0u};
  if (ember_json_open(&p->j, '[') != 0) return -1;
  node->first_ref = p->c.refs;
  while ((r = ember_json_more(&p->j, ']', &n)) > 0) {
    if (parse_ref(p, &ref) != 0) return -1;
    if (p->g != 0 && p->c.refs < p->g->n.refs) p->g->refs[p->c.refs] = ref;
    if (p->c.refs == UINT32_MAX) return EG_FAIL(p, kEmberErrorJsonLimit);
    ++p->c.refs;
  }
  node->num_inputs = n;
  return r;
}

static int parse_node(struct eg_parse* p) {
  struct eg_node node;
  uint32_t n = 0;
  int r, has_op = 0;
  const char *key, *op = 0;
  size_t key_len, op_len = 0;
  memset(&node, 0, sizeof node);
  node.num_outputs = 1u;
  node.first_arg = UINT32_MAX; /* "num_inputs" attr, when given */
  if (ember_json_open(&p->j, '{') != 0) return -1;
  node.at = p->j.pos - 1u;
  while ((r = ember_json_more(&p->j, '}', &n)) > 0) {
    if (ember_json_key(&p->j, &key, &key_len) != 0) return -1;
    if (ember_json_equals(key, key_len, "op")) {
      if (ember_json_string(&p->j, &op, &op_len) != 0) return -1;
      has_op = 1;
    } else if (ember_json_equals(key, key_len, "name")) {
      if (ember_json_string(&p->j, &node.name, &node.name_len) != 0) return -1;
    } else if (ember_json_equals(key, key_len, "inputs")) {
      if (parse_node_inputs(p, &node) != 0) return -1;
    } else if (ember_json_equals(key, key_len, "attrs") || ember_json_equals(key, key_len, "attr")) {
      if (parse_node_attrs(p, &node) != 0) return -1;
    } else if (ember_json_skip(&p->j) != 0) {
      return -1;
    }
  }
  if (r < 0) return -1;
  if (!has_op) return EG_FAIL(p, kEmberErrorJsonType);
  if (ember_json_equals(op, op_len, "null")) {
    node.kind = kNodeNull;
  } else if (ember_json_equals(op, op_len, "tvm_op") && node.func != 0) {
    node.kind = ember_json_equals(node.func, node.func_len, "__nop") ? kNodeNop : kNodeOp;
  } else {
    p->j.pos = node.at;
    return EG_FAIL(p, node.func == 0 && ember_json_equals(op, op_len, "tvm_op") ? kEmberErrorJsonType
                                                                             : kEmberErrorGraphInvalid);
  }
  if (p->g != 0 && p->c.nodes < p->g->n.nodes) p->g->nodes[p->c.nodes] = node;
  if (node.kind != kNodeNull) {
    if (node.num_inputs > UINT32_MAX - node.num_outputs || p->c.args > UINT32_MAX - node.num_inputs - node.num_outputs)
      return EG_FAIL(p, kEmberErrorJsonLimit);
    p->c.args += node.num_inputs + node.num_outputs;
  }
  ++p->c.nodes;
  return 0;
}

/* A list of `what`: 0 nodes, 1 ints (arg_nodes), 2 refs (heads), 3 ints (node_row_ptr). */
static int parse_list(struct eg_parse* p, int what) {
  uint32_t n = 0, v = 0;
  int r;
  struct eg_ref ref = {0u, 0u};
  if (ember_json_open(&p->j, '[') != 0) return -1;
  while ((r = ember_json_more(&p->j, ']', &n)) > 0) {
    struct ember_graph_executor* g = p->g;
    if (what == 0) {
      if (parse_node(p) != 0) return -1;
    } else if (what == 2) {
      if (parse_ref(p, &ref) != 0) return -1;
      if (g != 0 && n - 1u < g->n.heads) g->heads[n - 1u] = ref;
    } else {
      if (parse_int_u32(p, &v) != 0) return -1;
      if (what == 1 && g != 0 && n - 1u < g->n.arg_nodes) g->arg_nodes[n - 1u] = v;
      if (what == 3 && g != 0 && n - 1u < g->n.row_ptr) g->row_ptr[n - 1u] = v;
    }
  }
  if (what == 1) p->c.arg_nodes = n;
  if (what == 2) p->c.heads = n;
  if (what == 3) p->c.row_ptr = n;
  return r;
}

/* Bits of one element of a dltype ("int8", "uint16", "float32", "bool",
 * "int8x4"), or 0 when unknown. */
static uint32_t dltype_bits(const char* s, size_t len) {
  size_t i = 0;
  uint32_t bits = 0, lanes = 0;
  if (ember_json_equals(s, len, "bool")) return 8u;
  if (len >= 3u && memcmp(s, "int", 3) == 0) i = 3;
  else if (len >= 4u && memcmp(s, "uint", 4) == 0) i = 4;
  else if (len >= 5u && memcmp(s, "float", 5) == 0) i = 5;
  else return 0;
  for (; i < len && s[i] >= '0' && s[i] <= '9' && bits <= 64u; ++i) bits = bits * 10u + (uint32_t)(s[i] - '0');
  if (bits > 8u && bits % 8u != 0u) return 0;
  if (i < len && s[i] == 'x') {
    for (++i; i < len && s[i] >= '0' && s[i] <= '9' && lanes <= 64u; ++i) lanes = lanes * 10u + (uint32_t)(s[i] - '0');
    if (lanes == 0u) return 0;
  } else {
    lanes = 1u;
  }
  if (i != len || bits == 0u || bits > 64u || lanes > 64u || bits * lanes > 64u) return 0;
  return bits * lanes;
}

/* One shape: dimensions into dims; the counting pass adds an upper bound of
 * its bytes (8 per element) to upper_bytes. */
static int parse_shape(struct eg_parse* p, uint32_t index) {
  uint32_t n = 0;
  int r;
  int64_t d;
  size_t elems = 1u;
  const uint32_t first = p->c.dims;
  if (ember_json_open(&p->j, '[') != 0) return -1;
  while ((r = ember_json_more(&p->j, ']', &n)) > 0) {
    if (n > EMBER_GRAPH_MAX_NDIM) return EG_FAIL(p, kEmberErrorJsonLimit);
    if (ember_json_int(&p->j, &d) != 0) return -1;
    if (d < 0) return EG_FAIL(p, kEmberErrorGraphInvalid);
    if (d != 0 && (uint64_t)elems > (uint64_t)(SIZE_MAX / 64u) / (uint64_t)d) return EG_FAIL(p, kEmberErrorJsonLimit);
    elems *= (size_t)d;
    if (p->g != 0 && p->c.dims < p->g->n.dims) p->g->dims[p->c.dims] = d;
    ++p->c.dims;
  }
  if (r < 0) return -1;
  if (p->g != 0 && index < p->g->n.dltype) {
    p->g->entries[index].first_dim = first;
    p->g->entries[index].ndim = n;
  }
  if (p->g == 0) {
    if (p->upper_bytes > SIZE_MAX / 2u - elems * 8u - 16u) return EG_FAIL(p, kEmberErrorJsonLimit);
    p->upper_bytes += elems * 8u + 16u;
  }
  return 0;
}

/* ["list_str", [...]] and the like: `what` 0 dltype, 1 storage_id, 2 shape. */
static int parse_attr_list(struct eg_parse* p, int what) {
  static const char* const kTags[3] = {"list_str", "list_int", "list_shape"};
  uint32_t outer = 0, n = 0;
  int r;
  const char* s;
  size_t len;
  int64_t v;
  if (ember_json_open(&p->j, '[') != 0 || ember_json_more(&p->j, ']', &outer) <= 0) return EG_FAIL(p, kEmberErrorJsonType);
  if (ember_json_string(&p->j, &s, &len) != 0) return -1;
  if (!ember_json_equals(s, len, kTags[what])) return EG_FAIL(p, kEmberErrorJsonType);
  if (ember_json_more(&p->j, ']', &outer) <= 0) return EG_FAIL(p, kEmberErrorJsonType);
  if (ember_json_open(&p->j, '[') != 0) return -1;
  while ((r = ember_json_more(&p->j, ']', &n)) > 0) {
    struct eg_entry* e = p->g != 0 && n - 1u < p->g->n.dltype ? &p->g->entries[n - 1u] : 0;
    if (what == 0) {
      if (ember_json_string(&p->j, &s, &len) != 0) return -1;
      if (dltype_bits(s, len) == 0u) return EG_FAIL(p, kEmberErrorGraphInvalid);
      if (e != 0) e->bits = dltype_bits(s, len);
    } else if (what == 1) {
      if (ember_json_int(&p->j, &v) != 0) return -1;
      if (v < 0) return EG_FAIL(p, kEmberErrorGraphInvalid);
      if (e != 0) e->sid = v;
    } else if (parse_shape(p, n - 1u) != 0) {
      return -1;
    }
  }
  if (r < 0 || ember_json_more(&p->j, ']', &outer) != 0) return EG_FAIL(p, kEmberErrorJsonType);
  if (what == 0) p->c.dltype = n;
  if (what == 1) p->c.sid = n;
  if (what == 2) p->c.shape = n;
  return 0;
}

static int parse_graph_attrs(struct eg_parse* p) {
  uint32_t n = 0;
  int r;
  const char* key;
  size_t key_len;
  if (ember_json_open(&p->j, '{') != 0) return -1;
  while ((r = ember_json_more(&p->j, '}', &n)) > 0) {
    if (ember_json_key(&p->j, &key, &key_len) != 0) return -1;
    if (ember_json_equals(key, key_len, "dltype")) r = parse_attr_list(p, 0);
    else if (ember_json_equals(key, key_len, "storage_id")) r = parse_attr_list(p, 1);
    else if (ember_json_equals(key, key_len, "shape")) r = parse_attr_list(p, 2);
    else r = ember_json_skip(&p->j);
    if (r != 0) return -1;
  }
  return r;
}

/* One pass over the whole document. Returns 0 or an error code. */
static ember_error_t parse_document(struct eg_parse* p) {
  static const char* const kKeys[] = {"nodes", "arg_nodes", "heads", "node_row_ptr", "attrs"};
  uint32_t n = 0, seen = 0, k;
  int r;
  const char* key;
  size_t key_len;
  if (ember_json_open(&p->j, '{') != 0) return p->j.err;
  while ((r = ember_json_more(&p->j, '}', &n)) > 0) {
    if (ember_json_key(&p->j, &key, &key_len) != 0) return p->j.err;
    for (k = 0; k < 5u && !ember_json_equals(key, key_len, kKeys[k]); ++k) {
    }
    if (k < 5u) seen |= 1u << k;
    r = k < 4u ? parse_list(p, (int)k) : k == 4u ? parse_graph_attrs(p) : ember_json_skip(&p->j);
    if (r != 0) return p->j.err;
  }
  if (r < 0) return p->j.err;
  (void)ember_json_peek(&p->j); /* skips trailing white space */
  if (p->j.pos != p->j.len) EG_FAIL(p, kEmberErrorJsonSyntax);
  else if (seen != 0x1fu) EG_FAIL(p, kEmberErrorJsonType);
  return p->j.err;
}

/* ---- Layout in the work buffer ------------------------------------------ */

static size_t align_up(size_t v, size_t a) { return (v + a - 1u) / a * a; }

/* Places the executor and its arrays at `base` (aligned to 16); returns the
 * bytes used from `base`, or 0 on overflow. Fills the pointers when `g`. */
static size_t layout(const struct eg_counts* n, uint8_t* base, struct ember_graph_executor* g) {
  /* Every element below is smaller than 64 bytes: no product overflows. */
  const size_t most = SIZE_MAX / 256u;
  const size_t sizes[9] = {
      (size_t)n->nodes * sizeof(struct eg_node),  (size_t)n->refs * sizeof(struct eg_ref),
      (size_t)n->heads * sizeof(struct eg_ref),   (size_t)n->arg_nodes * sizeof(uint32_t),
      (size_t)n->row_ptr * sizeof(int64_t),       (size_t)n->dltype * sizeof(struct eg_entry),
      (size_t)n->dims * sizeof(int64_t),          (size_t)n->dltype * sizeof(size_t),
      (size_t)n->args * sizeof(void*)};
  size_t off = align_up(sizeof(struct ember_graph_executor), 16u), k;
  size_t at[9];
  if (n->nodes > most || n->refs > most || n->heads > most || n->arg_nodes > most || n->row_ptr > most ||
      n->dltype > most || n->dims > most || n->args > most)
    return 0;
  for (k = 0; k < 9u; ++k) {
    at[k] = off;
    if (sizes[k] > SIZE_MAX / 4u - off) return 0;
    off = align_up(off + sizes[k], 16u);
  }
  if (g != 0) {
    g->nodes = (struct eg_node*)(void*)(base + at[0]);
    g->refs = (struct eg_ref*)(void*)(base + at[1]);
    g->heads = (struct eg_ref*)(void*)(base + at[2]);
    g->arg_nodes = (uint32_t*)(void*)(base + at[3]);
    g->row_ptr = (int64_t*)(void*)(base + at[4]);
    g->entries = (struct eg_entry*)(void*)(base + at[5]);
    g->dims = (int64_t*)(void*)(base + at[6]);
    g->storage_bytes = (size_t*)(void*)(base + at[7]);
    g->args = (void**)(void*)(base + at[8]);
  }
  return off;
}

/* ---- Checks after the filling pass --------------------------------------- */

static const struct ember_operator* find_operator(const struct ember_operator* ops, size_t num_ops,
                                                  const struct eg_node* node) {
  size_t k;
  for (k = 0; k < num_ops; ++k) {
    if (ops[k].name != 0 && ops[k].fn != 0 && ember_json_equals(node->func, node->func_len, ops[k].name)) return &ops[k];
  }
  return 0;
}

static int is_arg_node(const struct ember_graph_executor* g, uint32_t node) {
  uint32_t k;
  for (k = 0; k < g->n.arg_nodes; ++k)
    if (g->arg_nodes[k] == node) return 1;
  return 0;
}

/* Checks node i and resolves its function; `args` counts argument slots. */
static ember_error_t link_node(struct ember_graph_executor* g, uint32_t i, const struct ember_operator* ops,
                               size_t num_ops, uint32_t* args) {
  struct eg_node* node = &g->nodes[i];
  uint32_t k;
  const struct ember_operator* op;
  if (node->first_arg != UINT32_MAX && node->first_arg != node->num_inputs) return kEmberErrorGraphInvalid;
  if (g->row_ptr[i + 1u] - g->row_ptr[i] != (int64_t)node->num_outputs) return kEmberErrorGraphInvalid;
  for (k = 0; k < node->num_inputs; ++k) {
    const struct eg_ref* r = &g->refs[node->first_ref + k];
    if (r->node >= i || r->index >= g->nodes[r->node].num_outputs) return kEmberErrorGraphInvalid;
  }
  node->first_arg = *args;
  if (node->kind == kNodeNull) {
    return node->num_inputs == 0u && node->num_outputs == 1u && is_arg_node(g, i) ? 0 : kEmberErrorGraphInvalid;
  }
  *args += node->num_inputs + node->num_outputs;
  if (node->kind == kNodeNop) return node->num_inputs == 1u && node->num_outputs == 1u ? 0 : kEmberErrorGraphInvalid;
  op = find_operator(ops, num_ops, node);
  if (op == 0 || op->num_inputs != node->num_inputs || op->num_outputs != node->num_outputs)
    return kEmberErrorGraphUnknownFunction;
  node->fn = op->fn;
  return 0;
}

/* Sizes every entry and storage. */
static ember_error_t size_entries(struct ember_graph_executor* g) {
  uint32_t e, d;
  memset(g->storage_bytes, 0, (size_t)g->n.dltype * sizeof(size_t));
  for (e = 0; e < g->n.dltype; ++e) {
    struct eg_entry* en = &g->entries[e];
    size_t elems = 1u;
    for (d = 0; d < en->ndim; ++d) elems *= (size_t)g->dims[en->first_dim + d]; /* bounded by parse_shape */
    en->bytes = en->bits <= 8u ? (elems * en->bits + 7u) / 8u : elems * (en->bits / 8u);
    if (en->sid >= (int64_t)g->n.dltype) return kEmberErrorGraphInvalid;
    if (g->storage_bytes[en->sid] < en->bytes) g->storage_bytes[en->sid] = en->bytes;
  }
  return 0;
}

static ember_error_t link_graph(struct ember_graph_executor* g, const struct ember_operator* ops, size_t num_ops,
                                size_t* error_node) {
  uint32_t i, args = 0;
  ember_error_t err;
  const struct eg_counts* n = &g->n;
  *error_node = UINT32_MAX;
  if (n->dltype != n->sid || n->dltype != n->shape || n->row_ptr != n->nodes + 1u || g->row_ptr[0] != 0 ||
      g->row_ptr[n->nodes] != (int64_t)n->dltype)
    return kEmberErrorGraphInvalid;
  for (i = 0; i < n->arg_nodes; ++i)
    if (g->arg_nodes[i] >= n->nodes || g->nodes[g->arg_nodes[i]].kind != kNodeNull) return kEmberErrorGraphInvalid;
  for (i = 0; i < n->heads; ++i)
    if (g->heads[i].node >= n->nodes || g->heads[i].index >= g->nodes[g->heads[i].node].num_outputs)
      return kEmberErrorGraphInvalid;
  for (i = 0; i < n->nodes; ++i) {
    err = link_node(g, i, ops, num_ops, &args);
    if (err != 0) {
      *error_node = i;
      return err;
    }
  }
  return args == n->args ? size_entries(g) : kEmberErrorGraphInvalid;
}

static struct eg_entry* entry_of(const struct ember_graph_executor* g, uint32_t node, uint32_t index) {
  return &g->entries[g->row_ptr[node] + (int64_t)index];
}

/* Checks every operator node's entries against its operator's argument
 * table, when the table has one: each input and output must have the
 * table's bytes and element bits, so that no kernel reads or writes past
 * its entry (a graph whose shapes differ from the compiled model's). */
static ember_error_t check_args(const struct ember_graph_executor* g, const struct ember_operator* ops, size_t num_ops,
                                size_t* error_node) {
  uint32_t i, k;
  for (i = 0; i < g->n.nodes; ++i) {
    const struct eg_node* node = &g->nodes[i];
    const struct ember_operator* op = node->kind == kNodeOp ? find_operator(ops, num_ops, node) : 0;
    if (op == 0 || op->args == 0) continue;
    for (k = 0; k < node->num_inputs + node->num_outputs; ++k) {
      const struct eg_ref* r = &g->refs[node->first_ref + k];
      const struct eg_entry* e = k < node->num_inputs ? entry_of(g, r->node, r->index) : entry_of(g, i, k - node->num_inputs);
      if (e->bytes != op->args[k].nbytes || e->bits != (uint32_t)op->args[k].bits * op->args[k].lanes) {
        *error_node = i;
        return kEmberErrorGraphUnknownFunction;
      }
    }
  }
  return 0;
}

/* Points every entry at its storage and fills the argument slots. */
static void bind_storage(struct ember_graph_executor* g, uint8_t* storage) {
  uint32_t i, k, e;
  size_t off = 0;
  for (e = 0; e < g->n.dltype; ++e) {
    const size_t b = g->storage_bytes[e];
    g->storage_bytes[e] = off; /* from here on: the storage's offset */
    off += align_up(b, 16u);
  }
  for (e = 0; e < g->n.dltype; ++e) g->entries[e].data = storage + g->storage_bytes[g->entries[e].sid];
  for (i = 0; i < g->n.nodes; ++i) {
    const struct eg_node* node = &g->nodes[i];
    if (node->kind == kNodeNull) continue;
    for (k = 0; k < node->num_inputs; ++k) {
      const struct eg_ref* r = &g->refs[node->first_ref + k];
      g->args[node->first_arg + k] = entry_of(g, r->node, r->index)->data;
    }
    for (k = 0; k < node->num_outputs; ++k) g->args[node->first_arg + node->num_inputs + k] = entry_of(g, i, k)->data;
  }
}

static size_t storage_total(const struct ember_graph_executor* g) {
  size_t total = 0;
  uint32_t e;
  for (e = 0; e < g->n.dltype; ++e) {
    if (g->storage_bytes[e] > SIZE_MAX / 4u - total) return SIZE_MAX / 2u;
    total += align_up(g->storage_bytes[e], 16u);
  }
  return total;
}

/* ---- Public API ----------------------------------------------------------- */

/* The filling pass, the checks and the storage layout, once `g` is placed. */
static ember_error_t build(struct eg_parse* p, struct ember_graph_executor* g, const struct ember_operator* ops,
                           size_t num_ops, size_t head, size_t room, struct ember_graph_diag* d) {
  size_t error_node = UINT32_MAX, storage;
  uint32_t i;
  ember_error_t err;
  memset(&p->c, 0, sizeof p->c);
  p->g = g;
  ember_json_init(&p->j, p->j.text, p->j.len);
  err = parse_document(p);
  if (err != 0) {
    d->error_at = p->j.err_at;
    return err;
  }
  err = link_graph(g, ops, num_ops, &error_node);
  if (err != 0) {
    d->error_at = error_node < g->n.nodes ? g->nodes[error_node].at : p->j.len;
    return err;
  }
  storage = storage_total(g);
  d->needed += storage;
  if (room < storage) return kEmberErrorGraphBufferTooSmall;
  bind_storage(g, (uint8_t*)(void*)g + head);
  memset((uint8_t*)(void*)g + head, 0, storage);
  for (i = 0; i < g->n.nodes; ++i) {
    const struct eg_node* node = &g->nodes[i];
    if (node->kind == kNodeNop && entry_of(g, g->refs[node->first_ref].node, g->refs[node->first_ref].index)->bytes !=
                                      entry_of(g, i, 0)->bytes) {
      d->error_at = node->at;
      return kEmberErrorGraphInvalid;
    }
  }
  err = check_args(g, ops, num_ops, &error_node);
  if (err != 0) d->error_at = g->nodes[error_node].at;
  return err;
}

ember_error_t ember_graph_executor_create(const char* json, size_t json_len, const struct ember_operator* ops,
                                          size_t num_ops, void* work, size_t work_size,
                                          struct ember_graph_executor** out, struct ember_graph_diag* diag) {
  struct eg_parse p;
  struct ember_graph_diag d = {0u, 0u};
  struct ember_graph_executor* g;
  size_t pad, head;
  ember_error_t err;
  if (out == 0 || json == 0 || (ops == 0 && num_ops > 0u)) return kEmberErrorExecutorNullArgument;
  *out = 0;
  memset(&p, 0, sizeof p);
  ember_json_init(&p.j, json, json_len);
  err = parse_document(&p);
  head = err == 0 ? layout(&p.c, 0, 0) : 0u;
  if (err != 0 || head == 0u) {
    d.error_at = p.j.err_at;
    if (err == 0) err = kEmberErrorJsonLimit;
  } else {
    pad = work == 0 ? 15u : (16u - (size_t)((uintptr_t)work & 15u)) & 15u;
    d.needed = pad + head;
    if (work == 0 || work_size < d.needed) {
      d.needed += p.upper_bytes;
      err = kEmberErrorGraphBufferTooSmall;
    } else {
      g = (struct ember_graph_executor*)(void*)((uint8_t*)work + pad);
      memset(g, 0, head);
      g->n = p.c;
      (void)layout(&p.c, (uint8_t*)(void*)g, g);
      err = build(&p, g, ops, num_ops, head, work_size - d.needed, &d);
      if (err == 0) *out = g;
    }
  }
  if (diag != 0) *diag = d;
  return err;
}

uint32_t ember_graph_executor_num_nodes(const struct ember_graph_executor* e) { return e != 0 ? e->n.nodes : 0u; }
uint32_t ember_graph_executor_num_inputs(const struct ember_graph_executor* e) { return e != 0 ? e->n.arg_nodes : 0u; }
uint32_t ember_graph_executor_num_outputs(const struct ember_graph_executor* e) { return e != 0 ? e->n.heads : 0u; }

int32_t ember_graph_executor_input_index(const struct ember_graph_executor* e, const char* name) {
  uint32_t k;
  if (e == 0 || name == 0) return -1;
  for (k = 0; k < e->n.arg_nodes && k < (uint32_t)INT32_MAX; ++k) {
    const struct eg_node* node = &e->nodes[e->arg_nodes[k]];
    if (node->name != 0 && ember_json_equals(node->name, node->name_len, name)) return (int32_t)k;
  }
  return -1;
}

static struct eg_entry* input_entry(const struct ember_graph_executor* e, uint32_t index) {
  return e != 0 && index < e->n.arg_nodes ? entry_of(e, e->arg_nodes[index], 0u) : 0;
}

static struct eg_entry* output_entry(const struct ember_graph_executor* e, uint32_t index) {
  return e != 0 && index < e->n.heads ? entry_of(e, e->heads[index].node, e->heads[index].index) : 0;
}

size_t ember_graph_executor_input_size(const struct ember_graph_executor* e, uint32_t index) {
  const struct eg_entry* en = input_entry(e, index);
  return en != 0 ? en->bytes : 0u;
}

size_t ember_graph_executor_output_size(const struct ember_graph_executor* e, uint32_t index) {
  const struct eg_entry* en = output_entry(e, index);
  return en != 0 ? en->bytes : 0u;
}

ember_error_t ember_graph_executor_set_input(struct ember_graph_executor* e, uint32_t index, const void* data,
                                             size_t size) {
  const struct eg_entry* en = input_entry(e, index);
  if (en == 0 || en->bytes != size) return kEmberErrorGraphBadIndex;
  if (data == 0 && size > 0u) return kEmberErrorExecutorNullArgument;
  if (size > 0u) memcpy(en->data, data, size);
  return 0;
}

ember_error_t ember_graph_executor_get_output(const struct ember_graph_executor* e, uint32_t index, void* data,
                                              size_t size) {
  const struct eg_entry* en = output_entry(e, index);
  if (en == 0 || size < en->bytes) return kEmberErrorGraphBadIndex;
  if (data == 0 && en->bytes > 0u) return kEmberErrorExecutorNullArgument;
  if (en->bytes > 0u) memcpy(data, en->data, en->bytes);
  return 0;
}

ember_error_t ember_graph_executor_run_node(struct ember_graph_executor* e, uint32_t node) {
  const struct eg_node* n;
  if (e == 0 || node >= e->n.nodes) return kEmberErrorGraphBadIndex;
  n = &e->nodes[node];
  if (n->kind == kNodeOp) return n->fn(e->args + n->first_arg, n->num_inputs + n->num_outputs);
  if (n->kind == kNodeNop && e->args[n->first_arg] != e->args[n->first_arg + 1u])
    memmove(e->args[n->first_arg + 1u], e->args[n->first_arg], entry_of(e, node, 0u)->bytes);
  return 0;
}

ember_error_t ember_graph_executor_run(struct ember_graph_executor* e) {
  uint32_t i;
  if (e == 0) return kEmberErrorExecutorNullArgument;
  for (i = 0; i < e->n.nodes; ++i) {
    const ember_error_t err = ember_graph_executor_run_node(e, i);
    if (err != 0) return err;
  }
  return 0;
}
