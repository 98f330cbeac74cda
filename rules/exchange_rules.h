/* exchange_rules.h: checks that judge a response against the request it answers. */
#ifndef WL_EXCHANGE_RULES_H
#define WL_EXCHANGE_RULES_H

#include "rule.h"

struct txn;

void check_te_unrequested(const struct txn *t, struct rule_out *out);
void check_content_encoding_unrequested(const struct txn *t, struct rule_out *out);
void check_via_missing(const struct txn *t, struct rule_out *out);
void check_content_location_redundant(const struct txn *t, struct rule_out *out);
void check_delete_content_location(const struct txn *t, struct rule_out *out);
void check_version_not_supported_same_version(const struct txn *t, struct rule_out *out);
void check_upgrade_without_continue(const struct txn *t, struct rule_out *out);
void check_partial_if_range_mismatch(const struct txn *t, struct rule_out *out);
void check_redirect_to_self(const struct txn *t, struct rule_out *out);
void check_redirect_options_asterisk(const struct txn *t, struct rule_out *out);
void check_payload_too_large_without_body(const struct txn *t, struct rule_out *out);
void check_unsupported_media_type_without_body(const struct txn *t, struct rule_out *out);
void check_conditional_ims_not_honored(const struct txn *t, struct rule_out *out);
void check_upgrade_required_already_offered(const struct txn *t, struct rule_out *out);
void check_upgrade_failed(const struct txn *t, struct rule_out *out);

#endif
