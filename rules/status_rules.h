/* status_rules.h: the checks that need code: content where none may be, framing fields. */
#ifndef WL_STATUS_RULES_H
#define WL_STATUS_RULES_H

#include "rule.h"

struct txn;

void check_body_forbidden(const struct txn *t, struct rule_out *out);
void check_head_body(const struct txn *t, struct rule_out *out);
void check_cl_and_te(const struct txn *t, struct rule_out *out);
void check_allow_lists_rejected_method(const struct txn *t, struct rule_out *out);
void check_unsolicited_101(const struct txn *t, struct rule_out *out);
void check_invalid_status(const struct txn *t, struct rule_out *out);
void check_unregistered_status(const struct txn *t, struct rule_out *out);
void check_content_length_mismatch(const struct txn *t, struct rule_out *out);
void check_conditional_not_honored(const struct txn *t, struct rule_out *out);
void check_not_modified_etag_mismatch(const struct txn *t, struct rule_out *out);
void check_allow_excludes_method(const struct txn *t, struct rule_out *out);
void check_whitespace_before_colon(const struct txn *t, struct rule_out *out);
void check_singleton_field_repeated(const struct txn *t, struct rule_out *out);

#endif
