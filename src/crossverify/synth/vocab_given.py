"""Given names (in frequency order) and the nicknames people file or are known by.

Lists are ordered from most to least common; `vocab.zipf_weights` turns rank into weight,
which is close enough to SSA/Census given-name tables for collision purposes. Compound
Spanish given names ("Juan Carlos", "María de los Ángeles") are one given name: a record
may split them into first + middle, which matching has to undo.
"""

from __future__ import annotations

# fmt: off
HISPANIC_MALE: tuple[str, ...] = (
    "José", "Juan", "Luis", "Carlos", "Jesús", "Antonio", "Miguel", "Francisco", "Jorge",
    "Pedro", "Manuel", "Alejandro", "Ricardo", "Roberto", "Javier", "Fernando", "Eduardo",
    "Rafael", "Daniel", "Juan Carlos", "José Luis", "Mario", "Sergio", "Raúl", "Arturo",
    "Alberto", "Enrique", "Miguel Ángel", "Ignacio", "Héctor", "Martín", "Ramón", "Óscar",
    "Víctor", "Juan José", "Rubén", "Andrés", "Armando", "Gerardo", "José Antonio", "Alfredo",
    "Julio", "Gabriel", "Salvador", "Francisco Javier", "Rodrigo", "Ernesto", "Hugo",
    "Adrián", "Ángel", "Juan Manuel", "Cristian", "Diego", "Emilio", "Felipe", "Gustavo",
    "Joaquín", "Marco Antonio", "José Manuel", "Guillermo", "Pablo", "Santiago", "Tomás",
    "Vicente", "Rogelio", "Rigoberto", "Efraín", "Humberto", "Leonel", "Nicolás", "Octavio",
    "Refugio", "Guadalupe", "Rosario", "Isidro", "Abel", "Saúl", "Israel", "Moisés",
    "Benjamín", "Esteban", "Lorenzo", "Wilfredo", "Edwin", "Heriberto", "Marcos",
)

HISPANIC_FEMALE: tuple[str, ...] = (
    "María", "Guadalupe", "Juana", "Rosa", "Ana", "María Guadalupe", "Margarita", "Verónica",
    "Elizabeth", "Patricia", "Leticia", "Martha", "Gabriela", "Adriana", "Claudia", "Teresa",
    "María del Carmen", "Silvia", "Alejandra", "Laura", "Araceli", "Yolanda", "Carmen",
    "María de los Ángeles", "Isabel", "Blanca", "Sandra", "Lucía", "Alicia", "Gloria",
    "Ana María", "Maribel", "Norma", "Rocío", "Irma", "Esperanza", "Elena", "María Elena",
    "Sofía", "Daniela", "Mariana", "Diana", "Karina", "Lorena", "Josefina", "Beatriz",
    "Rosario", "Concepción", "Dolores", "Angélica", "María Isabel", "Graciela", "Cecilia",
    "Consuelo", "Socorro", "Luz María", "Ximena", "Valeria", "Fernanda", "María José",
    "Jimena", "María Luisa", "Rosa María", "María Teresa", "Inés", "Natalia", "Andrea",
    "Paola", "Yesenia", "Maricela", "Reyna", "Erika", "María de Jesús", "Mercedes", "Refugio",
    "Marisol", "Xóchitl", "Itzel", "Mayra", "Liliana",
)

ANGLO_MALE: tuple[str, ...] = (
    "James", "Robert", "John", "Michael", "William", "David", "Richard", "Joseph", "Thomas",
    "Charles", "Christopher", "Daniel", "Matthew", "Anthony", "Mark", "Donald", "Steven",
    "Paul", "Andrew", "Joshua", "Kenneth", "Kevin", "Brian", "George", "Timothy", "Ronald",
    "Edward", "Jason", "Jeffrey", "Ryan", "Jacob", "Gary", "Nicholas", "Eric", "Jonathan",
    "Stephen", "Larry", "Justin", "Scott", "Brandon", "Benjamin", "Samuel", "Gregory",
    "Alexander", "Frank", "Patrick", "Raymond", "Jack", "Dennis", "Jerry", "Tyler", "Aaron",
    "Adam", "Nathan", "Henry", "Douglas", "Zachary", "Peter", "Kyle", "Ethan", "Walter",
    "Noah", "Jeremy", "Christian", "Keith", "Roger", "Terry", "Gerald", "Harold", "Sean",
    "Austin", "Carl", "Arthur", "Lawrence", "Dylan", "Jesse", "Jordan", "Bryan", "Billy",
    "Bruce", "Gabriel", "Logan", "Albert", "Willie", "Alan", "Wayne", "Elijah", "Randy",
    "Roy", "Vincent", "Ralph", "Eugene", "Russell", "Bobby", "Mason", "Philip", "Louis",
    "Frederick", "Marcus", "Andre", "Jamal", "Terrence", "Darnell", "Tyrone",
)

ANGLO_FEMALE: tuple[str, ...] = (
    "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica",
    "Sarah", "Karen", "Lisa", "Nancy", "Betty", "Margaret", "Sandra", "Ashley", "Kimberly",
    "Emily", "Donna", "Michelle", "Carol", "Amanda", "Dorothy", "Melissa", "Deborah",
    "Stephanie", "Rebecca", "Sharon", "Laura", "Cynthia", "Kathleen", "Amy", "Angela",
    "Shirley", "Anna", "Brenda", "Pamela", "Emma", "Nicole", "Helen", "Samantha", "Katherine",
    "Christine", "Debra", "Rachel", "Carolyn", "Janet", "Catherine", "Heather", "Diane",
    "Ruth", "Julie", "Olivia", "Joyce", "Virginia", "Victoria", "Kelly", "Lauren",
    "Christina", "Joan", "Evelyn", "Judith", "Megan", "Andrea", "Cheryl", "Hannah",
    "Jacqueline", "Martha", "Gloria", "Teresa", "Ann", "Sara", "Madison", "Frances",
    "Kathryn", "Janice", "Jean", "Abigail", "Alice", "Judy", "Sophia", "Grace", "Denise",
    "Amber", "Doris", "Marilyn", "Danielle", "Beverly", "Isabella", "Theresa", "Diana",
    "Natalie", "Brittany", "Charlotte", "Marie", "Kayla", "Alexis", "Lori", "Latoya",
    "Keisha", "Tamika", "Ebony",
)

ASIAN_MALE: tuple[str, ...] = (
    "Minh", "David", "Tuan", "Michael", "Thanh", "Hung", "Kevin", "Dung", "Long", "Quang",
    "Duc", "Hieu", "Nam", "Jin", "Min", "Sung", "Young", "Jun", "Wei", "Ming", "Jian", "Hao",
    "Peter", "Andrew", "James", "Daniel", "Khanh", "Vinh", "Hoang", "Sang",
)

ASIAN_FEMALE: tuple[str, ...] = (
    "Lan", "Linh", "Mai", "Hoa", "Jenny", "Huong", "Thu", "Trang", "Ngoc", "Hanh", "Ji",
    "Soo", "Eun", "Mei", "Ying", "Grace", "Christine", "Susan", "Helen", "Amy", "Thuy",
    "Yen", "Hien", "Xiu", "Min",
)

SOUTH_ASIAN_MALE: tuple[str, ...] = (
    "Rajesh", "Mohammed", "Sanjay", "Amit", "Rahul", "Vikram", "Anil", "Suresh", "Ramesh",
    "Ahmed", "Imran", "Ravi", "Arjun", "Nikhil", "Deepak", "Manoj", "Vijay", "Hitesh",
    "Jignesh", "Harpreet", "Gurpreet",
)

SOUTH_ASIAN_FEMALE: tuple[str, ...] = (
    "Priya", "Anjali", "Pooja", "Sunita", "Neha", "Kavita", "Asha", "Meena", "Fatima",
    "Aisha", "Sana", "Nisha", "Rekha", "Divya", "Shreya", "Hina", "Bhavna", "Komal",
)

# Vietnamese women usually carry "Thi" and men "Van" as a middle name.
VIETNAMESE_MIDDLE = {"M": "Van", "F": "Thi"}
# fmt: on

NICKNAMES: dict[str, tuple[str, ...]] = {
    # Spanish diminutives and hypocoristics; the key is the accent-free given name.
    "Francisco": ("Pancho", "Paco", "Frank", "Kiko"),
    "Jose": ("Pepe", "Joe", "Chepe"),
    "Guadalupe": ("Lupe", "Lupita"),
    "Maria Guadalupe": ("Lupe", "Maria"),
    "Jesus": ("Chuy", "Jesse"),
    "Enrique": ("Kike", "Henry"),
    "Ignacio": ("Nacho",),
    "Alejandro": ("Alex", "Jando"),
    "Roberto": ("Beto", "Robert"),
    "Alberto": ("Beto", "Al"),
    "Eduardo": ("Lalo", "Eddie"),
    "Rosario": ("Chayo",),
    "Concepcion": ("Concha", "Conchita"),
    "Antonio": ("Tony", "Tono"),
    "Manuel": ("Manny", "Manolo"),
    "Ricardo": ("Richard", "Rick"),
    "Javier": ("Javi",),
    "Fernando": ("Nando",),
    "Rafael": ("Rafa", "Ralph"),
    "Gerardo": ("Jerry",),
    "Salvador": ("Chava",),
    "Guillermo": ("Memo", "William"),
    "Dolores": ("Lola",),
    "Josefina": ("Josie", "Fina"),
    "Socorro": ("Coco",),
    "Consuelo": ("Chelo",),
    "Refugio": ("Cuca", "Cuco"),
    "Isabel": ("Chabela",),
    "Gabriela": ("Gaby",),
    "Alejandra": ("Ale", "Alex"),
    "Teresa": ("Tere",),
    "Mercedes": ("Meche",),
    "Carlos": ("Charlie",),
    "Juan Carlos": ("Juan", "Carlos"),
    "Jose Luis": ("Jose", "Pepe"),
    "Maria del Carmen": ("Carmen", "Maria"),
    "Maria de los Angeles": ("Angeles", "Maria"),
    "Miguel Angel": ("Miguel",),
    "Francisco Javier": ("Francisco", "Paco"),
    # English hypocoristics.
    "William": ("Bill", "Billy", "Will", "Willie"),
    "Robert": ("Bob", "Bobby", "Rob"),
    "Richard": ("Dick", "Rick", "Rich"),
    "James": ("Jim", "Jimmy", "Jamie"),
    "John": ("Jack", "Johnny"),
    "Michael": ("Mike",),
    "Thomas": ("Tom", "Tommy"),
    "Charles": ("Charlie", "Chuck"),
    "Joseph": ("Joe", "Joey"),
    "Christopher": ("Chris",),
    "Daniel": ("Dan", "Danny"),
    "Matthew": ("Matt",),
    "Anthony": ("Tony",),
    "Steven": ("Steve",),
    "Edward": ("Ed", "Eddie", "Ted"),
    "Kenneth": ("Ken", "Kenny"),
    "Andrew": ("Andy", "Drew"),
    "Joshua": ("Josh",),
    "Benjamin": ("Ben",),
    "Samuel": ("Sam",),
    "Jonathan": ("Jon",),
    "Timothy": ("Tim",),
    "Gregory": ("Greg",),
    "Patrick": ("Pat",),
    "Raymond": ("Ray",),
    "Lawrence": ("Larry",),
    "Gerald": ("Jerry",),
    "Douglas": ("Doug",),
    "Ronald": ("Ron", "Ronnie"),
    "Donald": ("Don",),
    "Frederick": ("Fred",),
    "Nicholas": ("Nick",),
    "Alexander": ("Alex",),
    "Elizabeth": ("Liz", "Beth", "Betty", "Eliza"),
    "Margaret": ("Peggy", "Maggie", "Meg"),
    "Katherine": ("Kate", "Kathy", "Katie"),
    "Jennifer": ("Jen", "Jenny"),
    "Patricia": ("Pat", "Patty", "Trish"),
    "Susan": ("Sue", "Susie"),
    "Deborah": ("Debbie", "Deb"),
    "Rebecca": ("Becky",),
    "Barbara": ("Barb",),
    "Jessica": ("Jess",),
    "Christine": ("Chris",),
    "Kimberly": ("Kim",),
    "Victoria": ("Vicky",),
    "Cynthia": ("Cindy",),
    "Pamela": ("Pam",),
    "Abigail": ("Abby",),
    "Samantha": ("Sam",),
    "Judith": ("Judy",),
    "Theresa": ("Terry",),
}
