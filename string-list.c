#include "quire-compat.h"
#include "string-list.h"
#include "wrapper.h"

void string_list_append(struct string_list *list, const char *s)
{
	ALLOC_GROW(list->items, list->nr + 1, list->alloc);
	list->items[list->nr++] = xstrdup(s);
}

void string_list_clear(struct string_list *list)
{
	size_t i;

	for (i = 0; i < list->nr; i++)
		free(list->items[i]);
	free(list->items);
	list->items = NULL;
	list->nr = list->alloc = 0;
}
