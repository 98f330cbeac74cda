/* status_rules.h: the checks behind the rules that depend on the status code. */
#ifndef WL_STATUS_RULES_H
#define WL_STATUS_RULES_H

#include "rule.h"

struct txn;

void check_missing_location(const struct txn *t, struct rule_out *out);
void check_missing_allow(const struct txn *t, struct rule_out *out);
void check_missing_www_authenticate(const struct txn *t, struct rule_out *out);
void check_body_forbidden(const struct txn *t, struct rule_out *out);
void check_head_body(const struct txn *t, struct rule_out *out);
void check_missing_retry_after(const struct txn *t, struct rule_out *out);
void check_cl_and_te(const struct txn *t, struct rule_out *out);

#endif
