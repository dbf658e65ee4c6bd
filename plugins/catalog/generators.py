"""One generator per content type, modelled on Pelican's `PagesGenerator`: item pages plus a listing page."""

from __future__ import annotations

import math
from typing import Any

from pelican.generators import CachingGenerator

from .contents import Contact, Faq, Item, Newsletter, Product, Seminar


class CollectionGenerator(CachingGenerator):
    """Reads `<NAME>_PATHS` into `context[<name>s]` (and `<name>s_by_slug`, `<name>s_count`), writes each item and the
    `<NAME>S_SAVE_AS` listing."""

    content_class: type[Item]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.items: list[Item] = []
        super().__init__(*args, **kwargs)

    @property
    def setting(self) -> str:
        return self.content_class.__name__.upper()

    @property
    def context_name(self) -> str:
        return self.content_class.__name__.lower() + "s"

    def sort_key(self, item: Item) -> Any:
        return item.title.casefold()

    def generate_context(self) -> None:
        paths = self.settings[f"{self.setting}_PATHS"]
        for path in sorted(self.get_files(paths, exclude=self.settings[f"{self.setting}_EXCLUDES"])):
            item = self.get_cached_data(path, None)
            if item is None:
                item = self.readers.read_file(
                    base_path=self.path, path=path, content_class=self.content_class, context=self.context)
                if not item.is_valid():
                    self._add_failed_source_path(path)
                    continue
                self.cache_data(path, item)
            self.items.append(item)
            self.add_source_path(item)
            self.add_static_links(item)
        self.items.sort(key=self.sort_key)
        self.context[self.context_name] = self.items
        # For templates that refer to an item by slug (a seminar's contact person): a lookup, not a scan.
        self.context[f"{self.context_name}_by_slug"] = {item.slug: item for item in self.items}
        # For a frame that only asks whether there are any: it does not change when one of them does (the live
        # preview renders again only the pages whose context changed).
        self.context[f"{self.context_name}_count"] = len(self.items)
        self.save_cache()
        self.readers.save_cache()

    def generate_output(self, writer: Any) -> None:
        relative = self.settings["RELATIVE_URLS"]
        for item in self.items:
            writer.write_file(
                item.save_as, self.get_template(item.template), self.context, relative_urls=relative,
                override_output=hasattr(item, "override_save_as"), url=item.url, item=item)
        writer.write_file(
            self.settings[f"{self.setting}S_SAVE_AS"], self.get_template(self.context_name), self.context,
            relative_urls=relative, url=self.settings[f"{self.setting}S_URL"])


class ProductsGenerator(CollectionGenerator):
    content_class = Product

    def sort_key(self, item: Item) -> Any:
        # In order of public release (the next release first); never-public items last.
        released = getattr(item, "public_from", None)
        return (released.timestamp() if released else math.inf, item.title.casefold())


class SeminarsGenerator(CollectionGenerator):
    content_class = Seminar

    def sort_key(self, item: Item) -> Any:
        return item.start


class FaqsGenerator(CollectionGenerator):
    content_class = Faq

    def sort_key(self, item: Item) -> Any:
        return (str(getattr(item, "category", "")), getattr(item, "order", 0), item.title.casefold())


class ContactsGenerator(CollectionGenerator):
    content_class = Contact


class NewslettersGenerator(CollectionGenerator):
    content_class = Newsletter

    def sort_key(self, item: Item) -> Any:
        return -item.send_date.timestamp()  # newest issue first


GENERATORS = (ProductsGenerator, SeminarsGenerator, FaqsGenerator, ContactsGenerator, NewslettersGenerator)


def get_generators(pelican: Any) -> list[type[CollectionGenerator]]:
    return list(GENERATORS)


