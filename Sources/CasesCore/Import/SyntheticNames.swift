/// Invented names for the synthetic caseload: common given names and surnames, combined at
/// random, each in Latin and Cyrillic script. The tables hold names only, never a person: any
/// resemblance of a combination to someone real is chance, and no contact detail generated
/// with them can reach anyone (reserved domains and unassigned phone prefixes).
enum SyntheticNames {
    /// A name in both scripts.
    struct Name {
        let latin: String
        let cyrillic: String
    }

    /// One naming tradition: given names by sex, surnames in their masculine form, patronymics.
    struct Tradition {
        let male: [Name]
        let female: [Name]
        let surnames: [Name]
        /// Masculine and feminine forms; empty where patronymics are not used in names.
        let patronymics: [(Name, Name)]
        /// Masculine surname ending → feminine, in Latin and Cyrillic.
        let feminine: [(String, String)]
        let feminineCyrillic: [(String, String)]

        func surname(_ n: Name, female: Bool) -> Name {
            guard female else { return n }
            return Name(latin: Self.inflect(n.latin, feminine), cyrillic: Self.inflect(n.cyrillic, feminineCyrillic))
        }

        static func inflect(_ s: String, _ rules: [(String, String)]) -> String {
            for (m, f) in rules where s.hasSuffix(m) { return String(s.dropLast(m.count)) + f }
            return s
        }
    }

    private static func n(_ pairs: [(String, String)]) -> [Name] { pairs.map { Name(latin: $0.0, cyrillic: $0.1) } }

    static let russian = Tradition(
        male: n([
            ("Aleksandr", "Александр"), ("Dmitry", "Дмитрий"), ("Sergey", "Сергей"), ("Andrey", "Андрей"), ("Alexey", "Алексей"),
            ("Ivan", "Иван"), ("Mikhail", "Михаил"), ("Nikolay", "Николай"), ("Pavel", "Павел"), ("Ilya", "Илья"),
            ("Maxim", "Максим"), ("Kirill", "Кирилл"), ("Roman", "Роман"), ("Yegor", "Егор"), ("Vladimir", "Владимир"),
            ("Artyom", "Артём"), ("Denis", "Денис"), ("Oleg", "Олег"), ("Yevgeny", "Евгений"), ("Konstantin", "Константин"),
            ("Grigory", "Григорий"), ("Vadim", "Вадим"), ("Anton", "Антон"), ("Stanislav", "Станислав"),
        ]),
        female: n([
            ("Anna", "Анна"), ("Maria", "Мария"), ("Yelena", "Елена"), ("Olga", "Ольга"), ("Natalia", "Наталья"),
            ("Tatiana", "Татьяна"), ("Irina", "Ирина"), ("Svetlana", "Светлана"), ("Yekaterina", "Екатерина"),
            ("Anastasia", "Анастасия"), ("Darya", "Дарья"), ("Yulia", "Юлия"), ("Ksenia", "Ксения"),
            ("Alexandra", "Александра"), ("Polina", "Полина"), ("Vera", "Вера"), ("Sofia", "Софья"), ("Marina", "Марина"),
            ("Lyudmila", "Людмила"), ("Valeria", "Валерия"),
        ]),
        surnames: n([
            ("Ivanov", "Иванов"), ("Smirnov", "Смирнов"), ("Kuznetsov", "Кузнецов"), ("Popov", "Попов"),
            ("Vasiliev", "Васильев"), ("Petrov", "Петров"), ("Sokolov", "Соколов"), ("Mikhailov", "Михайлов"),
            ("Novikov", "Новиков"), ("Fyodorov", "Фёдоров"), ("Morozov", "Морозов"), ("Volkov", "Волков"),
            ("Alekseev", "Алексеев"), ("Lebedev", "Лебедев"), ("Semyonov", "Семёнов"), ("Yegorov", "Егоров"),
            ("Pavlov", "Павлов"), ("Kozlov", "Козлов"), ("Stepanov", "Степанов"), ("Nikolaev", "Николаев"),
            ("Orlov", "Орлов"), ("Andreev", "Андреев"), ("Makarov", "Макаров"), ("Zakharov", "Захаров"),
            ("Zaitsev", "Зайцев"), ("Solovyov", "Соловьёв"), ("Borisov", "Борисов"), ("Yakovlev", "Яковлев"),
            ("Grigoriev", "Григорьев"), ("Vorobyov", "Воробьёв"), ("Sergeev", "Сергеев"), ("Frolov", "Фролов"),
            ("Belov", "Белов"), ("Gusev", "Гусев"), ("Tarasov", "Тарасов"), ("Komarov", "Комаров"),
            ("Ilyin", "Ильин"), ("Gerasimov", "Герасимов"), ("Kovalevsky", "Ковалевский"), ("Chernykh", "Черных"),
            ("Sedykh", "Седых"), ("Zhukovsky", "Жуковский"), ("Rozhkov", "Рожков"), ("Shestakov", "Шестаков"),
        ]),
        patronymics: [
            (Name(latin: "Aleksandrovich", cyrillic: "Александрович"), Name(latin: "Aleksandrovna", cyrillic: "Александровна")),
            (Name(latin: "Sergeevich", cyrillic: "Сергеевич"), Name(latin: "Sergeevna", cyrillic: "Сергеевна")),
            (Name(latin: "Vladimirovich", cyrillic: "Владимирович"), Name(latin: "Vladimirovna", cyrillic: "Владимировна")),
            (Name(latin: "Nikolaevich", cyrillic: "Николаевич"), Name(latin: "Nikolaevna", cyrillic: "Николаевна")),
            (Name(latin: "Andreevich", cyrillic: "Андреевич"), Name(latin: "Andreevna", cyrillic: "Андреевна")),
            (Name(latin: "Mikhailovich", cyrillic: "Михайлович"), Name(latin: "Mikhailovna", cyrillic: "Михайловна")),
            (Name(latin: "Igorevich", cyrillic: "Игоревич"), Name(latin: "Igorevna", cyrillic: "Игоревна")),
            (Name(latin: "Viktorovich", cyrillic: "Викторович"), Name(latin: "Viktorovna", cyrillic: "Викторовна")),
        ],
        feminine: [("sky", "skaya"), ("ov", "ova"), ("ev", "eva"), ("in", "ina"), ("yn", "yna")],
        feminineCyrillic: [("ский", "ская"), ("ов", "ова"), ("ёв", "ёва"), ("ев", "ева"), ("ин", "ина"), ("ын", "ына")])

    static let belarusian = Tradition(
        male: n([
            ("Siarhei", "Сяргей"), ("Aliaksandr", "Аляксандр"), ("Andrei", "Андрэй"), ("Dzmitry", "Дзмітрый"),
            ("Uladzimir", "Уладзімір"), ("Pavel", "Павел"), ("Ihar", "Ігар"), ("Maksim", "Максім"), ("Yauhen", "Яўген"),
            ("Viktar", "Віктар"), ("Mikalai", "Мікалай"), ("Aleh", "Алег"), ("Raman", "Раман"), ("Ales", "Алесь"),
            ("Yury", "Юрый"), ("Vadzim", "Вадзім"),
        ]),
        female: n([
            ("Sviatlana", "Святлана"), ("Maryia", "Марыя"), ("Volha", "Вольга"), ("Katsiaryna", "Кацярына"),
            ("Hanna", "Ганна"), ("Nasta", "Наста"), ("Iryna", "Ірына"), ("Yulia", "Юлія"), ("Darya", "Дар'я"),
            ("Tatsiana", "Таццяна"), ("Aliaksandra", "Аляксандра"), ("Palina", "Паліна"), ("Alena", "Алена"),
        ]),
        surnames: n([
            ("Kavalenka", "Каваленка"), ("Novik", "Новік"), ("Kazlou", "Казлоў"), ("Lukashevich", "Лукашэвіч"),
            ("Bandarenka", "Бандарэнка"), ("Marozau", "Марозаў"), ("Karpovich", "Карповіч"), ("Zhuk", "Жук"),
            ("Melnik", "Мельнік"), ("Kaspiarovich", "Каспяровіч"), ("Sakalou", "Сакалоў"), ("Ivanou", "Іваноў"),
            ("Pashkevich", "Пашкевіч"), ("Sidarenka", "Сідарэнка"), ("Kuzmich", "Кузьміч"), ("Navumenka", "Навуменка"),
            ("Yakimovich", "Якімовіч"), ("Bahdanovich", "Багдановіч"), ("Hrynevich", "Грыневіч"), ("Savitski", "Савіцкі"),
            ("Labanau", "Лабанаў"), ("Tsvirka", "Цвірка"),
        ]),
        patronymics: [],
        feminine: [("ski", "skaya"), ("au", "ava"), ("ou", "ova")],
        feminineCyrillic: [("цкі", "цкая"), ("аў", "ава"), ("оў", "ова")])

    static let ukrainian = Tradition(
        male: n([
            ("Oleksandr", "Олександр"), ("Andriy", "Андрій"), ("Serhiy", "Сергій"), ("Dmytro", "Дмитро"),
            ("Volodymyr", "Володимир"), ("Mykola", "Микола"), ("Taras", "Тарас"), ("Bohdan", "Богдан"), ("Yuriy", "Юрій"),
            ("Oleh", "Олег"), ("Vasyl", "Василь"), ("Ihor", "Ігор"),
        ]),
        female: n([
            ("Olena", "Олена"), ("Oksana", "Оксана"), ("Iryna", "Ірина"), ("Nataliya", "Наталія"), ("Kateryna", "Катерина"),
            ("Yuliya", "Юлія"), ("Tetiana", "Тетяна"), ("Halyna", "Галина"), ("Sofiia", "Софія"), ("Larysa", "Лариса"),
        ]),
        surnames: n([
            ("Shevchenko", "Шевченко"), ("Kovalenko", "Коваленко"), ("Bondarenko", "Бондаренко"), ("Tkachenko", "Ткаченко"),
            ("Kravchenko", "Кравченко"), ("Melnyk", "Мельник"), ("Boyko", "Бойко"), ("Moroz", "Мороз"),
            ("Lysenko", "Лисенко"), ("Rudenko", "Руденко"), ("Savchenko", "Савченко"), ("Petrenko", "Петренко"),
            ("Kovalchuk", "Ковальчук"), ("Marchenko", "Марченко"), ("Polishchuk", "Поліщук"), ("Hnatyuk", "Гнатюк"),
            ("Ostapenko", "Остапенко"), ("Zinchenko", "Зінченко"),
        ]),
        patronymics: [],
        feminine: [("skyi", "ska")],
        feminineCyrillic: [("ський", "ська")])

    /// Tatar, Bashkir, Kazakh and Caucasian names, as principals from Russia's regions and
    /// Central Asia carry them.
    static let other = Tradition(
        male: n([
            ("Ruslan", "Руслан"), ("Timur", "Тимур"), ("Arman", "Арман"), ("Rustam", "Рустам"), ("Aidar", "Айдар"),
            ("Marat", "Марат"), ("Ilnur", "Ильнур"), ("Askar", "Аскар"), ("Zaur", "Заур"),
        ]),
        female: n([
            ("Aigerim", "Айгерим"), ("Dinara", "Динара"), ("Zarina", "Зарина"), ("Leyla", "Лейла"), ("Alsu", "Алсу"),
            ("Gulnara", "Гульнара"), ("Madina", "Мадина"),
        ]),
        surnames: n([
            ("Akhmetov", "Ахметов"), ("Nurlanov", "Нурланов"), ("Khabibullin", "Хабибуллин"), ("Safin", "Сафин"),
            ("Gareev", "Гареев"), ("Abdullaev", "Абдуллаев"), ("Aliev", "Алиев"), ("Valiev", "Валиев"),
            ("Galimov", "Галимов"), ("Ismailov", "Исмаилов"), ("Zhaksylykov", "Жаксылыков"),
        ]),
        patronymics: [],
        feminine: [("ov", "ova"), ("ev", "eva"), ("in", "ina")],
        feminineCyrillic: [("ов", "ова"), ("ев", "ева"), ("ин", "ина")])
}
