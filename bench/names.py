"""Realistic names for the benchmark catalogue: romanised Japanese names (macrons included), shows, reviews.

Japanese names are built from syllable morphemes, each with its kanji, so every name has a plausible native
form too: family names from two parts ("Shima" + "mura" → Shimamura, 島村), given names from a stem and an
ending ("Yū" + "ko" → Yūko, 優子). Everything is drawn from a :class:`random.Random`, so a seed fixes it.
"""

from __future__ import annotations

import random

FAMILY_HEADS = [
    ("Yama", "山"), ("Naka", "中"), ("Ta", "田"), ("Ka", "加"), ("Sa", "佐"), ("Shima", "島"), ("Kawa", "川"),
    ("Mori", "森"), ("Ishi", "石"), ("Hashi", "橋"), ("Kuro", "黒"), ("Shira", "白"), ("Fuji", "藤"),
    ("Hoshi", "星"), ("Taka", "高"), ("Matsu", "松"), ("Oka", "岡"), ("Kita", "北"), ("Nishi", "西"),
    ("Higashi", "東"), ("Minami", "南"), ("Ō", "大"), ("Ko", "小"), ("Kō", "幸"), ("Sakura", "桜"),
    ("Tsuki", "月"), ("Mizu", "水"), ("Ki", "木"), ("Hira", "平"), ("Uchi", "内"), ("Aki", "秋"),
    ("Haru", "春"), ("Nagi", "凪"), ("Kami", "上"), ("Shimo", "下"), ("Ara", "荒"), ("Kiri", "桐"),
    ("Asa", "浅"), ("Miya", "宮"), ("Tō", "藤"), ("Sō", "宗"), ("Ryū", "竜"), ("Kuma", "熊"), ("Inu", "犬"),
    ("Tori", "鳥"), ("Ume", "梅"), ("Sugi", "杉"), ("Take", "竹"), ("Kane", "金"), ("Yoshi", "吉"),
    ("Kuri", "栗"), ("Hana", "花"), ("Iwa", "岩"), ("Kado", "門"), ("Nomu", "野"), ("Shō", "庄"),
]
FAMILY_TAILS = [
    ("da", "田"), ("ta", "田"), ("no", "野"), ("mura", "村"), ("kawa", "川"), ("moto", "本"), ("shima", "島"),
    ("yama", "山"), ("hara", "原"), ("saki", "崎"), ("zawa", "沢"), ("gawa", "川"), ("uchi", "内"), ("oka", "岡"),
    ("ki", "木"), ("bayashi", "林"), ("mori", "森"), ("guchi", "口"), ("ishi", "石"), ("tani", "谷"),
    ("sawa", "沢"), ("hashi", "橋"), ("be", "部"), ("kubo", "久保"), ("zono", "園"), ("o", "尾"), ("i", "井"),
    ("se", "瀬"), ("mine", "峰"), ("tsuka", "塚"), ("ya", "谷"), ("ue", "上"), ("shita", "下"), ("ōka", "大賀"),
]
GIVEN_STEMS = [
    ("Yu", "由"), ("Yū", "優"), ("Mi", "美"), ("Sa", "咲"), ("Ha", "春"), ("Na", "奈"), ("Ai", "愛"), ("Ri", "莉"),
    ("Ka", "香"), ("Ma", "真"), ("Chi", "千"), ("Hi", "陽"), ("Ko", "小"), ("Ki", "希"), ("Mo", "桃"),
    ("Sae", "冴"), ("Hana", "花"), ("Yuki", "雪"), ("Sora", "空"), ("Rin", "凛"), ("Kyō", "京"), ("Shō", "翔"),
    ("Ryō", "涼"), ("Jun", "純"), ("Mei", "芽"), ("Ao", "葵"), ("Kō", "光"), ("Tō", "透"), ("Yō", "陽"),
    ("Shū", "秀"), ("Take", "武"), ("Hiro", "博"), ("Kazu", "和"), ("Masa", "正"), ("Nao", "直"),
    ("Tomo", "友"), ("Aki", "明"), ("Haru", "晴"), ("Kei", "恵"), ("Shin", "真"), ("Dai", "大"), ("Kō", "浩"),
    ("Ryū", "隆"), ("Sō", "颯"), ("Yū", "悠"), ("Ta", "太"), ("Ken", "健"), ("Tetsu", "哲"), ("Mitsu", "光"),
]
GIVEN_ENDINGS = [
    ("ko", "子"), ("mi", "美"), ("ka", "花"), ("na", "奈"), ("e", "恵"), ("ri", "里"), ("ho", "穂"), ("ne", "音"),
    ("yo", "代"), ("no", "乃"), ("ki", "希"), ("sa", "紗"), ("ha", "葉"), ("ra", "良"), ("", ""), ("rin", "鈴"),
    ("ta", "太"), ("hei", "平"), ("suke", "介"), ("rō", "郎"), ("ya", "也"), ("to", "斗"), ("ma", "馬"),
    ("hiko", "彦"), ("ji", "治"), ("ichi", "一"), ("shi", "志"), ("go", "吾"), ("tarō", "太郎"), ("jirō", "次郎"),
    ("nori", "則"), ("hito", "仁"), ("yuki", "幸"), ("taka", "隆"), ("kazu", "和"), ("o", "男"), ("ya", "弥"),
]
WESTERN_GIVEN = [
    "Naomi", "Jill", "Ash", "Alice", "Victor", "Emma", "Leon", "Sara", "Blake", "Ruby", "Weiss", "Edward",
    "Alphonse", "Winry", "Roy", "Riza", "Levi", "Erwin", "Hange", "Armin", "Annie", "Reiner", "Sasha", "Connie",
    "Jean", "Historia", "Kenny", "Zeke", "Pieck", "Gabi", "Falco", "Lelouch", "Kallen", "Lloyd", "Cecile", "Holo",
    "Nora", "Fiona", "Marco", "Lucas", "Oliver", "Sophia", "Mia", "Noah", "Liam", "Ethan", "Chloe", "Elise",
]
WESTERN_FAMILY = [
    "Orthmann", "Belladonna", "Rose", "Schnee", "Xiao Long", "Elric", "Rockbell", "Mustang", "Hawkeye", "Ackerman",
    "Arlert", "Smith", "Zoe", "Braun", "Leonhart", "Lamperouge", "Stadtfeld", "Asplund", "Croomy", "Fritz",
    "Reiss", "Kirstein", "Springer", "Braus", "Finger", "Grice", "Tybur", "Lawrence", "Vance", "Hartmann",
    "Weber", "Novak", "Morrow", "Sinclair", "Harlow", "Valentine", "Østergaard", "Łukasz", "Müller", "Dvořák",
]
DUB_GIVEN = [
    "Jessica", "Erica", "Cristina", "Kyle", "Johnny", "Bryce", "Ray", "Kate", "Stephanie", "Laura", "Todd",
    "Matthew", "Ian", "Brianna", "Kellen", "Griffin", "Zeno", "Cherami", "Max", "Robbie", "Anairis", "Tia",
    "Kayli", "Sarah", "Xander", "Alejandro", "Ryan", "Chris", "Trina", "Monica", "Lisa", "Wendee", "Dave",
    "Billy", "Justin", "Caitlin", "Amber", "Alexis", "Mallorie", "Erik", "Natalie", "Aaron", "Luci", "Ben",
]
DUB_FAMILY = [
    "Cena", "Lindbeck", "Vee", "McAvoy", "Yong Bosch", "Papenbrook", "Chapman", "Higgins", "Nagel", "Lewis",
    "Mercer", "Knowles", "Scott", "Patton", "Daws", "Cabral", "Lee", "Glass", "Rigby", "Harris", "Olson", "Marie",
    "Bailey", "Zimmerman", "Wittmer", "Oliver", "Mittelman", "Palmer", "Nelson", "Hughes", "Kunz", "Bromley",
    "Stoner", "Johnson", "Fitzgerald", "Hoover", "Christensen", "Tatum", "Ross", "Gray", "Sweeney", "Ortiz",
]

TITLE_NOUNS = [
    ("Hoshi", "Star", "星"), ("Sora", "Sky", "空"), ("Umi", "Sea", "海"), ("Yume", "Dream", "夢"),
    ("Kioku", "Memory", "記憶"), ("Tsubasa", "Wings", "翼"), ("Kaze", "Wind", "風"), ("Hikari", "Light", "光"),
    ("Yoru", "Night", "夜"), ("Kokoro", "Heart", "心"), ("Tsuki", "Moon", "月"), ("Hana", "Flower", "花"),
    ("Koe", "Voice", "声"), ("Uta", "Song", "歌"), ("Sekai", "World", "世界"), ("Mirai", "Future", "未来"),
    ("Kiseki", "Miracle", "奇跡"), ("Shōnen", "Boy", "少年"), ("Shōjo", "Girl", "少女"), ("Majo", "Witch", "魔女"),
    ("Kishi", "Knight", "騎士"), ("Ō", "King", "王"), ("Hime", "Princess", "姫"), ("Ryū", "Dragon", "竜"),
    ("Kami", "God", "神"), ("Oni", "Demon", "鬼"), ("Tenshi", "Angel", "天使"), ("Gakkō", "School", "学校"),
    ("Machi", "Town", "町"), ("Mori", "Forest", "森"), ("Tōkyō", "Tokyo", "東京"), ("Kyōdai", "Siblings", "兄弟"),
    ("Tomodachi", "Friends", "友達"), ("Bōken", "Adventure", "冒険"), ("Sensō", "War", "戦争"),
    ("Kōkō", "High School", "高校"), ("Yūsha", "Hero", "勇者"), ("Maō", "Demon Lord", "魔王"),
    ("Shinigami", "Reaper", "死神"), ("Kikai", "Machine", "機械"), ("Ginga", "Galaxy", "銀河"),
    ("Hōseki", "Jewel", "宝石"), ("Ongaku", "Music", "音楽"), ("Tabi", "Journey", "旅"), ("Ame", "Rain", "雨"),
]
TITLE_ADJECTIVES = [
    ("Aoi", "Blue", "青い"), ("Akai", "Red", "赤い"), ("Shiroi", "White", "白い"), ("Kuroi", "Black", "黒い"),
    ("Chiisana", "Little", "小さな"), ("Ōkina", "Great", "大きな"), ("Saigo no", "Last", "最後の"),
    ("Hajimari no", "First", "始まりの"), ("Kagayaku", "Shining", "輝く"), ("Kowareta", "Broken", "壊れた"),
    ("Himitsu no", "Secret", "秘密の"), ("Eien no", "Eternal", "永遠の"), ("Tōi", "Distant", "遠い"),
    ("Utsukushii", "Beautiful", "美しい"), ("Kōri no", "Frozen", "氷の"), ("Kin'iro no", "Golden", "金色の"),
]
SEQUELS = [
    (" 2nd Season", " Season 2", "第2期"), (" Zoku-hen", " Part 2", "続編"), (" Kanketsu-hen", " The Final Chapter",
    "完結編"), (" Movie", ": The Movie", "劇場版"), (" Shippūden", " Hurricane Chronicles", "疾風伝"),
]
STUDIOS = [
    "Bones", "Kyoto Animation", "Madhouse", "Production I.G", "Sunrise", "MAPPA", "Wit Studio", "Shaft",
    "A-1 Pictures", "CloverWorks", "Trigger", "P.A. Works", "David Production", "Ufotable", "J.C.Staff",
    "Studio Deen", "TMS Entertainment", "Toei Animation", "Science SARU", "Doga Kobo", "Lerche", "Kinema Citrus",
]
STAFF_ROLES = [
    ("Director", 1), ("Series Composition", 1), ("Character Design", 1), ("Music", 1), ("Original Creator", 1),
    ("Art Director", 1), ("Sound Director", 1), ("Director of Photography", 1), ("Color Design", 1),
    ("Animation Director", 4), ("Episode Director", 5), ("Storyboard", 6), ("Script", 4),
    ("Key Animation", 30), ("Theme Song Performance", 2), ("Mechanical Design", 1), ("Editing", 1),
]
LANGUAGES_DUBBED = ["english", "english", "english", "spanish", "german", "french", "portuguese", "italian"]

REVIEW_SENTENCES = [
    "The animation in the first episode set a bar the rest of the season mostly cleared.",
    "I went in expecting a by-the-numbers adaptation and came out genuinely moved.",
    "The soundtrack does a lot of heavy lifting, especially in the quieter scenes.",
    "Pacing is the weak point: the middle arc drags for three or four episodes.",
    "The voice cast is excellent, and the lead carries the emotional scenes without overplaying them.",
    "Character designs are clean and expressive, and the colour work is gorgeous at night.",
    "Some of the comedy didn't land for me, but the banter between the two leads always did.",
    "The finale ties up the main threads while leaving room for a sequel.",
    "Fight choreography is readable and the camera never loses track of who is where.",
    "It borrows heavily from older shows, but it knows exactly what it's doing with those ideas.",
    "The writing trusts the audience, which I appreciated after a season of over-explaining shows.",
    "*Without spoiling anything*, the twist in the back half recontextualises the opening episodes.",
    "Background art is painterly and the town feels lived in; I'd happily watch an episode of nothing happening.",
    "My only real complaint is the CG in the crowd scenes, which stands out badly.",
    "Rewatching it, the foreshadowing is everywhere — the show planned its ending from the start.",
    "The opening theme is an instant classic and I refuse to skip it.",
    "Side characters get real arcs of their own instead of existing to prop up the lead.",
    "The dub is solid, though I preferred the original cast for the villain.",
    "It's a slow burn, so give it at least three episodes before deciding.",
    "Episode 7 is one of the best single episodes I've seen in years.",
    "The romance subplot felt tacked on and could have been cut without losing anything.",
    "Sound design deserves a mention: the silence before the big moments is used brilliantly.",
    "The studio clearly had schedule problems near the end; a couple of episodes look rough.",
    "I laughed, I cried, and then I immediately started the manga.",
    "Worldbuilding is delivered through small details rather than exposition dumps, which I loved.",
    "The __ending__ is bittersweet in exactly the right way.",
    "It's not perfect, but it's the kind of show people will still be talking about in ten years.",
    "If you liked the director's previous work, this is a safe recommendation.",
]
REVIEW_TITLES = [
    "Better than I expected", "A slow burn worth the wait", "Gorgeous but uneven", "An instant favourite",
    "Great first half, shaky landing", "The soundtrack alone is worth it", "Overhyped, but still good",
    "Comfort viewing at its finest", "A masterclass in visual storytelling", "Fun, if forgettable",
    "Not for everyone, but for me", "The best show of the season", "Rough start, brilliant finish",
    "Beautiful, sad and funny", "Solid adaptation", "Could have been two episodes shorter",
]
WARNINGS = ["violence", "flashing lights", "death of a pet", "body horror", "self-harm", "blood and gore",
            "bullying", "war themes", "suicide mention", "strong language"]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


class NameMaker:
    """Names of people, characters and shows, all drawn from one seeded random source."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def family(self) -> tuple[str, str]:
        """A Japanese family name and its kanji."""
        rng = self.rng
        head, head_k = rng.choice(FAMILY_HEADS)
        if rng.random() < 0.12:
            return head, head_k
        tail, tail_k = rng.choice(FAMILY_TAILS)
        return _capital(head + tail), head_k + tail_k

    def given(self) -> tuple[str, str]:
        """A Japanese given name and its kanji."""
        rng = self.rng
        while True:
            stem, stem_k = rng.choice(GIVEN_STEMS)
            ending, ending_k = rng.choice(GIVEN_ENDINGS)
            name = stem + ending
            if len(name) >= 3:
                return name, stem_k + ending_k

    def japanese(self) -> tuple[str, str, list[str]]:
        """A Japanese person: "Given Family" (as AniList writes it), native "FamilyGiven", and aliases."""
        given, given_k = self.given()
        family, family_k = self.family()
        aliases: list[str] = []
        roll = self.rng.random()
        if roll < 0.06:
            aliases.append(f"{family} {given}")  # family-name-first spelling
        elif roll < 0.10 and any(c in given + family for c in "ōū"):
            aliases.append(f"{given} {family}".replace("ō", "ou").replace("ū", "uu"))  # spelled out
        return f"{given} {family}", family_k + given_k, aliases

    def western(self) -> str:
        """A Western character name (sometimes a single name)."""
        given = self.rng.choice(WESTERN_GIVEN)
        return given if self.rng.random() < 0.2 else f"{given} {self.rng.choice(WESTERN_FAMILY)}"

    def dub_actor(self) -> str:
        """A dub voice actor's name."""
        return f"{self.rng.choice(DUB_GIVEN)} {self.rng.choice(DUB_FAMILY)}"

    def title(self) -> tuple[str, str, str]:
        """A show's romaji, English and native titles."""
        rng = self.rng
        pattern = rng.random()
        if pattern < 0.35:
            (ra, ea, na), (rn, en, nn) = rng.choice(TITLE_ADJECTIVES), rng.choice(TITLE_NOUNS)
            romaji, english, native = f"{ra} {rn}", f"{ea} {en}", na + nn
        elif pattern < 0.75:
            (r1, e1, n1), (r2, e2, n2) = rng.sample(TITLE_NOUNS, 2)
            romaji, english, native = f"{r1} no {r2}", f"The {e2} of the {e1}", f"{n1}の{n2}"
        elif pattern < 0.9:
            (r1, e1, n1), (r2, e2, n2) = rng.sample(TITLE_NOUNS, 2)
            romaji, english, native = f"{r1} to {r2}", f"{e1} and {e2}", f"{n1}と{n2}"
        else:
            rn, en, nn = rng.choice(TITLE_NOUNS)
            given, _ = self.given()
            romaji, english, native = f"{given} no {rn}!", f"{given}'s {en}!", f"{nn}!"
        if rng.random() < 0.18:
            rs, es, ns = rng.choice(SEQUELS)
            romaji, english, native = romaji + rs, english + es, native + ns
        return romaji, english, native

    def review_text(self) -> tuple[str, str, str | None]:
        """A review's title, body (a few hundred to a few thousand characters) and optional warnings."""
        rng = self.rng
        title = rng.choice(REVIEW_TITLES)
        target = min(3900, int(rng.lognormvariate(6.3, 0.7)))
        parts: list[str] = []
        size = 0
        while size < target:
            sentence = rng.choice(REVIEW_SENTENCES)
            if rng.random() < 0.03:
                sentence = f"||{sentence}||"
            parts.append(sentence)
            size += len(sentence) + 1
            if rng.random() < 0.2:
                parts.append("\n\n")
        body = " ".join(parts).replace(" \n\n ", "\n\n").strip()[:4000].strip()
        warnings = ", ".join(rng.sample(WARNINGS, rng.randint(1, 3))) if rng.random() < 0.1 else None
        return title, body, warnings
