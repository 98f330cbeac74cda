/* field_rules.h: checks of one response's fields, status line and framing that need code. */
#ifndef WL_FIELD_RULES_H
#define WL_FIELD_RULES_H

#include "rule.h"

struct txn;

/* Makes what the checks look names up with; rules_init calls it, before any transaction is judged. */
void field_rules_init(void);

void check_obs_fold(const struct txn *t, struct rule_out *out);
void check_chunk_extension(const struct txn *t, struct rule_out *out);
void check_trailer_forbidden_field(const struct txn *t, struct rule_out *out);
void check_trailer_inconsistent(const struct txn *t, struct rule_out *out);
void check_field_name_invalid(const struct txn *t, struct rule_out *out);
void check_field_value_non_ascii(const struct txn *t, struct rule_out *out);
void check_field_too_large(const struct txn *t, struct rule_out *out);
void check_field_count_excessive(const struct txn *t, struct rule_out *out);
void check_list_empty_element(const struct txn *t, struct rule_out *out);
void check_request_field_in_response(const struct txn *t, struct rule_out *out);
void check_te_chunked_twice(const struct txn *t, struct rule_out *out);
void check_te_invalid(const struct txn *t, struct rule_out *out);
void check_close_delimited(const struct txn *t, struct rule_out *out);
void check_close_delimited_without_close(const struct txn *t, struct rule_out *out);
void check_content_type_invalid(const struct txn *t, struct rule_out *out);
void check_reason_phrase_invalid(const struct txn *t, struct rule_out *out);
void check_reason_phrase_mismatch(const struct txn *t, struct rule_out *out);
void check_last_modified_after_date(const struct txn *t, struct rule_out *out);
void check_retry_after_implausible(const struct txn *t, struct rule_out *out);
void check_content_length_range_mismatch(const struct txn *t, struct rule_out *out);
void check_date_skew(const struct txn *t, struct rule_out *out);
void check_multipart_boundary_invalid(const struct txn *t, struct rule_out *out);
void check_multipart_part_missing_content_range(const struct txn *t, struct rule_out *out);
void check_multipart_part_missing_content_type(const struct txn *t, struct rule_out *out);
void check_content_encoding_invalid(const struct txn *t, struct rule_out *out);
void check_content_type_mismatch(const struct txn *t, struct rule_out *out);

#endif
