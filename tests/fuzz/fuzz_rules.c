/* fuzz_rules.c: libFuzzer target: the text parsers of user input: rules files and the config file. */
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "rules_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[1024];
	struct rules_file *rf = rules_file_parse("fuzz.yaml", (const char *)data, size, err, sizeof err);
	rules_file_free(rf);
	struct config c = { 0 };
	config_parse(&c, "fuzz.yaml", (const char *)data, size, err, sizeof err);
	config_free(&c);
	return 0;
}
