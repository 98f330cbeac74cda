/* test_rules_file.c: the rules-file parser: every error message, with its line and column. */
#include "wl_test.h"

#include <stdio.h>
#include <stdlib.h>

#include "decl.h"
#include "rule.h"
#include "rules_file.h"

static const char ok_rule[] = "rules:\n"
			      "  - id: ratelimit-on-429\n"
			      "    severity: warning\n"
			      "    summary: 429 without RateLimit fields\n"
			      "    when: { status: 429 }\n"
			      "    require: { response: { RateLimit-Policy: present, RateLimit: '/limit=[0-9]+/i' } }\n"
			      "    message: 429 without RateLimit\n";

static void test_parses(void **state)
{
	char err[512] = "";
	struct rules_file *rf = rules_file_parse("ok.yaml", ok_rule, sizeof ok_rule - 1, err, sizeof err);
	assert_non_null(rf);
	assert_int_equal(rules_file_count(rf), 1);
	rules_init();
	assert_int_equal(rules_file_register(rf, err, sizeof err), 0);
	int i = rule_by_id("ratelimit-on-429");
	assert_true(i >= RULE_COUNT);
	assert_int_equal(rule_table[i].sev, SEV_WARNING);
	assert_false(rule_table[i].needs_request);
	assert_string_equal(rule_table[i].origin, "ok.yaml");
	/* A second file with the same id is refused, naming both. */
	struct rules_file *again = rules_file_parse("again.yaml", ok_rule, sizeof ok_rule - 1, err, sizeof err);
	assert_int_equal(rules_file_register(again, err, sizeof err), -1);
	assert_non_null(strstr(err, "again.yaml:2: rule 'ratelimit-on-429' is already defined (ok.yaml)"));
	rules_file_free(again);
	rules_init();
	rules_file_free(rf);
}

struct bad {
	const char *text;
	const char *want; /* the whole message after "bad.yaml:" */
};

static const struct bad bads[] = {
	{ "", "1:1: empty rules file (expected 'rules:' and a list of rules)" },
	{ "- a\n- b\n", "1:1: expected 'rules:' and a list of rules" },
	{ "rulez: []\n", "1:1: unknown key 'rulez' (expected 'rules')" },
	{ "rules: 3\n", "1:8: 'rules' is a list of rules (each starting with '- id:')" },
	{ "rules:\n  - 3\n", "2:5: a rule is a set of keys: id, severity, summary, when, require, message" },
	{ "rules:\n  - severity: error\n", "2:5: a rule needs an id" },
	{ "rules:\n  - id: Bad_Id\n", "2:9: id 'Bad_Id' is not kebab-case (a-z, 0-9, -)" },
	{ "rules:\n  - id: x\n    severity: fatal\n", "3:15: severity 'fatal' is not error, warning or info" },
	{ "rules:\n  - id: x\n", "2:5: rule 'x' needs a severity" },
	{ "rules:\n  - id: x\n    severity: info\n    stauts: 1\n",
	  "4:5: unknown key 'stauts' (id, severity, summary, reference, sources, enabled, when, require, message)" },
	{ "rules:\n  - id: x\n    severity: info\n    enabled: maybe\n", "4:14: enabled is true or false, not 'maybe'" },
	{ "rules:\n  - id: x\n    severity: info\n    summary: s\n    when: {status: 200}\n",
	  "2:5: rule 'x' needs a message" },
	{ "rules:\n  - id: x\n    severity: info\n    summary: s\n    message: m\n",
	  "2:5: rule 'x' needs 'when' (report when it holds) or 'require' (or both)" },
	{ "rules:\n  - id: x\n    severity: info\n    message: m\n    when: {status: 200}\n",
	  "2:5: rule 'x' needs a summary" },
	{ "rules:\n  - id: x\n    severity: info\n    summary: s\n    message: m\n    when: {status: 2x}\n",
	  "6:20: '2x' is not a status: 405, 4xx or 500-599" },
	{ "rules:\n  - id: x\n    severity: info\n    summary: s\n    message: m\n    when: {status: 1000}\n",
	  "6:20: '1000' is outside 0-999" },
	{ "rules:\n  - id: x\n    severity: info\n    summary: s\n    message: m\n    when: {colour: red}\n",
	  "6:12: unknown key 'colour' in when (status, not-status, method, not-method, unless-method, version, request, response, body, body-min, body-max)" },
	{ "rules:\n  - id: x\n    severity: info\n    summary: s\n    message: m\n    when: {method: GET, not-method: HEAD}\n",
	  "6:25: use one of method, not-method and unless-method" },
	{ "rules:\n  - id: x\n    severity: info\n    summary: s\n    message: m\n    when: {unless-method: CONNECT, method: GET}\n",
	  "6:36: use one of method, not-method and unless-method" },
	{ "rules:\n  - id: x\n    severity: info\n    summary: s\n    message: m\n    when: {version: '2'}\n",
	  "6:21: '2' is not an HTTP/1 version: 1.0 or 1.1" },
	{ "rules:\n  - id: x\n    severity: info\n    summary: s\n    message: m\n    when: {body: maybe}\n",
	  "6:18: body is present or absent, not 'maybe'" },
	{ "rules:\n  - id: x\n    severity: info\n    summary: s\n    message: m\n    when: {body-min: -3}\n",
	  "6:22: body-min is a number of bytes, not '-3'" },
	{ "rules:\n  - id: x\n    severity: info\n    summary: s\n    message: m\n    when: {method: 'G T'}\n",
	  "6:20: 'G T' is not a method" },
	{ "rules:\n  - id: x\n    severity: info\n    summary: s\n    message: m\n    when: {status: []}\n",
	  "6:20: expected 1 to 256 values" },
	{ "rules:\n  - id: x\n    severity: info\n    summary: s\n    message: m\n    require: {response: {X: sometimes}}\n",
	  "6:29: 'sometimes' is not a condition: present, absent, /pattern/, /pattern/i or !/pattern/" },
	{ "rules:\n  - id: x\n    severity: info\n    summary: s\n    message: m\n    require: {response: {X: '/a(/'}}\n",
	  "6:29: bad pattern /a(/: " },
	{ "rules:\n  - id: x\n    severity: info\n    summary: s\n    message: m\n    require: {response: {'Bad Name': present}}\n",
	  "6:26: 'Bad Name' is not a field name" },
	{ "rules:\n  - id: x\n    severity: info\n    summary: s\n    message: m\n    require: {request: {X: present}}\n",
	  "6:15: unknown key 'request' in require (response)" },
	{ "rules:\n  - id: x\n    severity: info\n    summary: s\n    message: m\n    require: {response: 3}\n",
	  "6:25: expected field names with conditions (Name: present)" },
	{ "rules:\n  - id: x\n    severity: info\n    summary: s\n    message: m\n    require: {}\n",
	  "6:14: rule 'x' requires nothing" },
	{ "rules:\n  - id: x\n    severity: [info]\n", "3:15: severity must be a single value" },
	{ "rules:\n  - id: x\n    severity: info\n    summary: s\n    message: m\n    when: {status: 4xx, status: 5xx}\n",
	  "6:25: key 'status' appears twice" },
	{ "rules:\n  - id: x\n    id: y\n", "3:5: key 'id' appears twice" },
	{ "rules:\n  - id: x\n    severity: info\n    summary: s\n    message: m\n    require: {response: {X: '/a+++/'}}\n",
	  "6:29: pattern /a+++/ is too complex: a quantifier follows another" },
	{ "rules:\n  - id: x\n    severity: info\n    summary: s\n    message: m\n    require: {response: {X: '/((a{1,40}){1,40})/'}}\n",
	  "6:29: pattern /((a{1,40}){1,40})/ is too complex: repetition bounds multiplying past 1000" },
	{ "rules:\n  - id: x\n   severity: info\n", "3:4: did not find expected '-' indicator while parsing a block collection" },
};

static void test_every_error(void **state)
{
	int wrong = 0;
	for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++) {
		char err[512] = "";
		struct rules_file *rf = rules_file_parse("bad.yaml", bads[i].text, strlen(bads[i].text), err, sizeof err);
		char want[512];
		snprintf(want, sizeof want, "bad.yaml:%s", bads[i].want);
		if (rf || strncmp(err, want, strlen(want)) != 0) {
			print_error("case %zu: got \"%s\", want \"%s\"\n", i, rf ? "(parsed)" : err, want);
			wrong++;
		}
		rules_file_free(rf);
	}
	assert_int_equal(wrong, 0);
}

static void test_builtin_loads(void **state)
{
	char err[512] = "";
	rules_init();
	assert_int_equal(rules_load_builtin(err, sizeof err), 0);
	assert_true(rule_count > RULE_COUNT + 20);
	int i = rule_by_id("missing-location");
	assert_true(i >= 0);
	assert_string_equal(rule_table[i].origin, "built-in");
	assert_int_equal(rule_table[i].sev, SEV_ERROR);
	assert_true(rule_table[rule_by_id("unsolicited-304")].needs_request);
	/* An opt-in rule (enabled: false) is in the table, off. */
	i = rule_by_id("error-without-body");
	assert_true(i >= 0);
	assert_false(rule_table[i].enabled);
	assert_true(rule_table[i].default_off);
	assert_true(rule_table[rule_by_id("missing-allow")].enabled);
}

static void test_enabled_key(void **state)
{
	static const char text[] = "rules:\n"
				   "  - id: opt-in\n"
				   "    severity: info\n"
				   "    enabled: false\n"
				   "    summary: s\n"
				   "    when: { status: 200 }\n"
				   "    message: m\n";
	char err[512] = "";
	struct rules_file *rf = rules_file_parse("opt.yaml", text, sizeof text - 1, err, sizeof err);
	assert_non_null(rf);
	rules_init();
	assert_int_equal(rules_file_register(rf, err, sizeof err), 0);
	assert_false(rule_table[rule_by_id("opt-in")].enabled);
	rules_init();
	rules_file_free(rf);
}

static void test_missing_file(void **state)
{
	char err[512] = "";
	assert_null(rules_file_load("/no/such/rules.yaml", err, sizeof err));
	assert_string_equal(err, "/no/such/rules.yaml: No such file or directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parses),
		cmocka_unit_test(test_every_error),
		cmocka_unit_test(test_builtin_loads),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_enabled_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
