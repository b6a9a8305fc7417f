/* Configuration: the example file loads, every error names file and line,
 * overrides win over the file. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "firmware/cli.h"
#include "firmware/config.h"

static struct config cfg;
static char err[CONFIG_ERR_MAX];

static int parse(const char *text)
{
	config_defaults(&cfg);
	err[0] = '\0';
	if (config_parse(&cfg, "t.conf", text, strlen(text), err,
			 sizeof err) < 0)
		return -1;
	return config_validate(&cfg, err, sizeof err);
}

static void test_example_loads(void)
{
	REQUIRE(config_load(&cfg, BK_SOURCE_DIR "/assets/site.conf", err,
			    sizeof err) == 0);
	CHECK(config_validate(&cfg, err, sizeof err) == 0);
	CHECK_INT(cfg.n_services, 6);
	CHECK_STR(cfg.services[0].id, "personalausweis");
	CHECK_INT(cfg.services[0].letter, 'A');
	CHECK_STR(config_service(&cfg, "fundbuero")->name, "Fundbüro");
	CHECK_STR(cfg.site_name, "Bürgerbüro Musterstadt");
	CHECK_INT(cfg.n_languages, 5);
	CHECK_STR(cfg.languages[4], "ar");
	CHECK_STR(cfg.default_language, "de");
	CHECK_STR(config_service(&cfg, "fuehrungszeugnis")->group,
		  "Melden und Bescheinigungen");
	CHECK_STR(config_service(&cfg, "reisepass")->group, "");
	CHECK_INT(cfg.more_time_seconds, 30);
	CHECK_INT(cfg.priority_ticket, 0);
}

static void test_errors_name_the_line(void)
{
	CHECK(parse("[kiosk]\nid = k1\ncolour = red\n") < 0);
	CHECK_STR(err, "t.conf:3: unknown key 'colour' in [kiosk]");
	CHECK(parse("\n\n[nonsense]\n") < 0);
	CHECK_STR(err, "t.conf:3: unknown section [nonsense]");
	CHECK(parse("name = x\n") < 0);
	CHECK_STR(err, "t.conf:1: 'name' outside a section");
	CHECK(parse("[kiosk]\nticket_screen_seconds = soon\n") < 0);
	CHECK(strstr(err, "t.conf:2: 'kiosk.ticket_screen_seconds'") != NULL);
	CHECK(parse("[service x]\nletter = ab\n") < 0);
	CHECK(strstr(err, "t.conf:2:") != NULL);
	CHECK(parse("[site\n") < 0);
	CHECK_STR(err, "t.conf:1: section header without ']'");
	CHECK(parse("[site]\njust words\n") < 0);
	CHECK(strstr(err, "t.conf:2: expected 'key = value'") != NULL);
	CHECK(parse("[service Bad Id]\n") < 0);
	CHECK(strstr(err, "t.conf:1:") != NULL);
}

static void test_values_are_checked(void)
{
	/* control characters could reach the printer or the screen */
	CHECK(parse("[site]\nname = a\x1b" "b\n") < 0);
	CHECK(parse("[site]\nname = \xc3\x28\n") < 0);     /* bad UTF-8 */
	CHECK(parse("[site]\nname = \xc0\xaf\n") < 0);     /* overlong */
	CHECK(parse("[site]\nname = \xed\xa0\x80\n") < 0); /* surrogate */
	CHECK(parse("[kiosk]\nlanguages = de english\n") < 0);
	CHECK(parse("[kiosk]\nlanguages = de en de\n") < 0);
	CHECK(strstr(err, "'de' twice") != NULL);
	/* a quoted value never brings a control character along */
	CHECK(parse("[site]\nid = \x1b[31mred\n") < 0);
	CHECK(strchr(err, 0x1b) == NULL);
	CHECK(strstr(err, "t.conf:2:") != NULL);
	CHECK(parse("[sync]\nbatch_size = 0\n") < 0);
	CHECK(parse("[sync]\nbatch_size = 1001\n") < 0);
}

static void test_whole_file_rules(void)
{
	CHECK(parse("[site]\nid = s\n") < 0);
	CHECK(strstr(err, "no [service") != NULL);
	CHECK(parse("[service a]\nletter = A\nname = X\n"
		    "[service b]\nletter = A\nname = Y\n") < 0);
	CHECK(strstr(err, "share the letter A") != NULL);
	CHECK(parse("[kiosk]\ndefault_language = tr\n"
		    "[service a]\nletter = A\nname = X\n") < 0);
	CHECK(parse("[service a]\nletter = A\n") < 0);
	CHECK(parse("\xef\xbb\xbf[service a]\r\nletter = A\r\nname = X\r\n"
		    "name.en = Ex\n") == 0);
	CHECK_STR(config_service_name(&cfg.services[0], "en"), "Ex");
	CHECK(config_service_name(&cfg.services[0], "tr") == NULL);
}

static void test_command_line_overrides(void)
{
	char a0[] = "prog", a1[] = "--config", a2[] = BK_SOURCE_DIR
		"/assets/site.conf", a3[] = "--set",
		a4[] = "kiosk.ticket_screen_seconds=3", a5[] = "--data-dir=/x/y",
		a6[] = "rest";
	char *argv_[] = { a0, a1, a2, a3, a4, a5, a6, NULL };
	char **argv = argv_;
	int argc = 7;
	struct cli_common c;

	REQUIRE(cli_parse_common(&c, &argc, &argv) == 0);
	CHECK_INT(argc, 2);
	CHECK_STR(argv[0], "prog");
	CHECK_STR(argv[1], "rest");
	CHECK_STR(c.data_dir, "/x/y");
	REQUIRE(cli_add_set(&c, "service.extra.letter=Z") == 0);
	REQUIRE(cli_add_set(&c, "service.extra.name=Extra") == 0);
	REQUIRE(cli_load_config(&c, &cfg, err, sizeof err) == 0);
	CHECK_INT(cfg.ticket_screen_seconds, 3);
	CHECK(config_service(&cfg, "extra") != NULL);

	REQUIRE(cli_add_set(&c, "kiosk.nope=1") == 0);
	CHECK(cli_load_config(&c, &cfg, err, sizeof err) < 0);
	CHECK(strstr(err, "--set kiosk.nope") != NULL);
}

static void test_missing_file(void)
{
	CHECK(config_load(&cfg, "/nonexistent/site.conf", err, sizeof err) < 0);
	CHECK(strstr(err, "/nonexistent/site.conf: cannot open") != NULL);
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "example_loads", test_example_loads },
		{ "errors_name_the_line", test_errors_name_the_line },
		{ "values_are_checked", test_values_are_checked },
		{ "whole_file_rules", test_whole_file_rules },
		{ "command_line_overrides", test_command_line_overrides },
		{ "missing_file", test_missing_file },
		{ NULL, NULL },
	};
	return check_main(tests);
}
