#ifndef STRING_LIST_H
#define STRING_LIST_H

#include <stddef.h>

/*
 * A growing list of strings the list owns (copies are made), in the order
 * they were added: what a repeatable option collects.
 */
struct string_list {
	char **items;
	size_t nr, alloc;
};

#define STRING_LIST_INIT { NULL, 0, 0 }

void string_list_append(struct string_list *list, const char *s);
void string_list_clear(struct string_list *list);

#endif
